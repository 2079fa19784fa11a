import Conversations
import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// Notifications are queued in the outbox by the transaction that records their event: once per event
    /// and target, on the `notification` channel, addressed to the target.
    @Suite("Notifications")
    struct Notifications {
        typealias R = ContractRequests
        typealias L = StoreContractTests.Lifecycle

        static func notifications(_ store: any MessageStore) async throws -> [OutboxEntry] {
            try await store.outboxEntries(status: nil, before: nil, limit: 100, sources: nil).entries
                .filter { $0.channel == .notification }.sorted { ($0.createdAt, $0.script ?? "") < ($1.createdAt, $1.script ?? "") }
        }

        static func type(_ entry: OutboxEntry) throws -> String? {
            try (JSONSerialization.jsonObject(with: Data(entry.body.utf8)) as? [String: Any])?["type"] as? String
        }

        @Test("a breach queues sla.breached for the targets its policy names, and its escalation conversation.escalated; once", arguments: StoreFactory.all)
        func breach(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, timers) = (subject.store, subject.timers)
                let id = try await L.conversation(store, "late@example.com", minute: 0, due: 60)
                _ = try await timers.fireDueClockTimers(now: R.at(minute: 48), limit: 10)
                // Nobody subscribes to warnings here.
                #expect(try await Self.notifications(store).isEmpty)

                _ = try await timers.fireDueClockTimers(now: R.at(minute: 61), limit: 10)
                let queued = try await Self.notifications(store)
                #expect(try queued.map(Self.type) == ["conversation.escalated", "sla.breached"])
                #expect(queued.allSatisfy {
                    $0.recipient == "supervisors" && $0.conversationID == id && $0.status == .queued && $0.automatic && $0.author == "system"
                        && $0.nextAttemptAt == R.at(minute: 61)
                })
                let breach = try #require(queued.first { try Self.type($0) == "sla.breached" })
                let data = try #require((try JSONSerialization.jsonObject(with: Data(breach.body.utf8)) as? [String: Any])?["data"] as? [String: Any])
                #expect(data["clock"] as? String == "first_response" && data["conversation_id"] as? String == id)
                #expect(!breach.body.contains("late@example.com"))

                // The dispatcher claims them as it claims replies.
                let claimed = try await store.claimDueOutbox(now: R.at(minute: 61), limit: 10)
                #expect(Set(claimed.map(\.entry.id)) == Set(queued.map(\.id)))
                _ = try await timers.fireDueClockTimers(now: R.at(minute: 100), limit: 10)
                #expect(try await Self.notifications(store).count == 2)

                let events = try #require(try await store.conversationDetail(id: id, page: ConversationDetailPage())).events
                #expect(events.filter { $0.kind == "notification_queued" }.map { $0.detail["type"] ?? "" }.sorted()
                    == ["conversation.escalated", "sla.breached"])
            }
        }

        @Test("a claim, a hand-off to an owner and a resolution notify; a wait, a hand-off to a queue and a refused action do not", arguments: StoreFactory.all)
        func lifecycle(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle) = (subject.store, subject.lifecycle)
                let id = try await L.conversation(store, "customer@example.com", minute: 0)
                _ = try await lifecycle.perform(L.command(id, .claim, by: L.ana, minute: 1))
                _ = try await lifecycle.perform(L.command(id, .wait(until: nil), by: L.ana, minute: 2))
                _ = try await lifecycle.perform(L.command(id, .handoff(.queue("billing")), by: L.ana, reason: "billing question", minute: 3))
                _ = try await lifecycle.perform(L.command(id, .handoff(.owner("bo")), by: L.sue, reason: "bo knows", minute: 4))
                _ = try await lifecycle.perform(L.command(id, .resolve, by: L.bo, reason: "refunded", minute: 5))
                // Refused: a resolved conversation cannot be claimed.
                _ = try await lifecycle.perform(L.command(id, .claim, by: L.ana, minute: 6))
                let queued = try await Self.notifications(store)
                #expect(try queued.map(Self.type) == ["conversation.assigned", "conversation.assigned", "conversation.resolved"])
                #expect(queued.map(\.nextAttemptAt) == [R.at(minute: 1), R.at(minute: 4), R.at(minute: 5)])
                let handoff = try #require(queued.dropFirst().first)
                #expect(!handoff.body.contains("bo knows"))
            }
        }

        @Test("a notification to a target never counts as an automatic reply to a customer of the same name", arguments: StoreFactory.all)
        func notCountedAsAutoReply(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle) = (subject.store, subject.lifecycle)
                let id = try await L.conversation(store, "customer@example.com", minute: 0)
                _ = try await lifecycle.perform(L.command(id, .claim, by: L.ana, minute: 1))
                #expect(try await Self.notifications(store).count == 1)
                #expect(try await store.automaticReplyCount(recipient: "supervisors", since: R.at(minute: -60)) == 0)
            }
        }
    }
}
