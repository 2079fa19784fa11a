import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// Replies held for a supervisor's approval: never claimed while held, approved into the queue (and
    /// only then applied to their conversation), rejected, or expired with a notification.
    @Suite("Approvals")
    struct Approvals {
        typealias R = ContractRequests
        typealias L = StoreContractTests.Lifecycle
        typealias N = StoreContractTests.Notifications

        static let hash = String(repeating: "ab", count: 32)

        static func held(_ body: String = "我们将补偿您¥800", minute: Double = 1, expiresAfter minutes: Double = 240) -> PendingReply {
            PendingReply(
                script: nil, body: body, automatic: false,
                approval: ApprovalHold(
                    amount: "CNY 800.00", reason: .aboveThreshold, expiresAt: R.at(minute: minute + minutes), contentSHA256: hash))
        }

        static func hold(_ store: any MessageStore, _ id: String, minute: Double = 1, key: String? = nil) async throws -> OutboxEntry {
            let result = try await store.enqueueReply(
                held(minute: minute), conversationID: id, author: "ana", idempotencyKey: key, requestFingerprint: key.map { "fp-\($0)" },
                at: R.at(minute: minute))
            guard case let .created(entry) = result else { throw ContractFailure("not created: \(result)") }
            return entry
        }

        struct ContractFailure: Error, CustomStringConvertible {
            var description: String
            init(_ description: String) { self.description = description }
        }

        static func firstResponse(_ store: any MessageStore, _ id: String, minute: Double) async throws -> Date? {
            try await store.clocks(conversationID: id, at: R.at(minute: minute)).first { $0.kind == .firstResponse }?.fulfilledAt
        }

        @Test("a held reply is stored awaiting approval, never claimed, leaves its conversation as it was, and notifies", arguments: StoreFactory.all)
        func holding(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let id = try await L.conversation(store, "held@example.com", minute: 0, due: 60)
                let entry = try await Self.hold(store, id, key: "k1")
                #expect(entry.status == .awaitingApproval)
                #expect(entry.nextAttemptAt == nil)
                #expect(entry.approval?.amount == "CNY 800.00" && entry.approval?.reason == .aboveThreshold)
                #expect(entry.approval?.contentSHA256 == Self.hash && entry.approval?.decidedBy == nil)
                #expect(try await store.outboxEntry(id: entry.id)?.toMillisecond == entry.toMillisecond)
                // The same request again is the same entry.
                let replayed = try await store.enqueueReply(
                    Self.held(), conversationID: id, author: "ana", idempotencyKey: "k1", requestFingerprint: "fp-k1", at: R.at(minute: 2))
                #expect(replayed == .replayed(try #require(try await store.outboxEntry(id: entry.id))))

                #expect(try await store.claimDueOutbox(now: R.at(minute: 600), limit: 10).filter { $0.entry.channel != .notification }.isEmpty)
                let conversation = try #require(try await store.conversation(id: id))
                #expect(conversation.owner == nil && conversation.state == .new)
                #expect(try await Self.firstResponse(store, id, minute: 2) == nil)

                let kinds = try await store.eventKinds(id)
                #expect(kinds.contains("reply_held") && !kinds.contains("reply_queued") && !kinds.contains("owner_assigned"))
                let heldEvent = try #require(try await store.events(id).first { $0.kind == "reply_held" })
                #expect(heldEvent.actor == "ana" && heldEvent.detail["amount"] == "CNY 800.00" && heldEvent.detail["reason"] == "above_threshold")

                let notices = try await N.notifications(store)
                #expect(try notices.map(N.type) == ["approval.requested"])
                let notice = try #require(notices.first)
                let data = try #require((try JSONSerialization.jsonObject(with: Data(notice.body.utf8)) as? [String: Any])?["data"] as? [String: Any])
                #expect(data["outbox_id"] as? String == entry.id && data["conversation_id"] as? String == id)
                #expect(data["amount"] as? String == "CNY 800.00" && data["author"] as? String == "ana" && data["expires_at"] != nil)
                #expect(!notice.body.contains("held@example.com") && !notice.body.contains("补偿"))
            }
        }

        @Test("held replies are listed oldest first, a page at a time, by source", arguments: StoreFactory.all)
        func listing(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                var ids: [String] = []
                for minute in 1...3 {
                    let id = try await L.conversation(store, "c\(minute)@example.com", minute: Double(minute))
                    ids.append(try await Self.hold(store, id, minute: Double(minute) + 0.5).id)
                }
                _ = try await store.enqueueReply(
                    PendingReply(script: nil, body: "您好", automatic: false), conversationID: try #require(try await store.outboxEntry(id: ids[0])).conversationID,
                    author: "bo", idempotencyKey: nil, requestFingerprint: nil, at: R.at(minute: 5))
                let first = try await store.heldReplies(after: nil, limit: 2, sources: nil)
                #expect(first.entries.map(\.id) == Array(ids.prefix(2)))
                let second = try await store.heldReplies(after: try #require(first.next), limit: 2, sources: nil)
                #expect(second.entries.map(\.id) == [ids[2]] && second.next == nil)
                #expect(try await store.heldReplies(after: nil, limit: 10, sources: ["elsewhere"]).entries.isEmpty)
                #expect(try await store.heldReplies(after: nil, limit: 10, sources: ["demo"]).entries.count == 3)
            }
        }

        @Test("approval queues the reply due now and applies it to the conversation then; the author cannot decide, a changed hash is refused", arguments: StoreFactory.all)
        func approval(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let id = try await L.conversation(store, "approve@example.com", minute: 0, due: 60)
                let entry = try await Self.hold(store, id)
                #expect(try await store.decideApproval(id: entry.id, .approve, actor: "ana", note: nil, expectedSHA256: nil, now: R.at(minute: 3))
                    == .selfApproval)
                #expect(try await store.decideApproval(
                    id: entry.id, .approve, actor: "sue", note: nil, expectedSHA256: String(repeating: "0", count: 64), now: R.at(minute: 3))
                    == .contentChanged)
                #expect(try await store.decideApproval(id: "out-missing", .approve, actor: "sue", note: nil, expectedSHA256: nil, now: R.at(minute: 3))
                    == .notFound)
                #expect(try await store.outboxEntry(id: entry.id)?.status == .awaitingApproval)

                let decided = try await store.decideApproval(
                    id: entry.id, .approve, actor: "sue", note: "goodwill", expectedSHA256: Self.hash, now: R.at(minute: 4))
                guard case let .applied(approved) = decided else { Issue.record("not applied: \(decided)"); return }
                #expect(approved.status == .queued && approved.nextAttemptAt == R.at(minute: 4))
                #expect(approved.approval?.decidedBy == "sue" && approved.approval?.note == "goodwill")
                #expect(approved.approval?.decidedAt == R.at(minute: 4))

                // The reply's effects, as of the approval: the author owns it, and the first response is met.
                let conversation = try #require(try await store.conversation(id: id))
                #expect(conversation.owner == "ana" && conversation.state == .inProgress)
                #expect(try await Self.firstResponse(store, id, minute: 5) == R.at(minute: 4))
                let events = try await store.events(id)
                let approvedEvent = try #require(events.first { $0.kind == "reply_approved" })
                #expect(approvedEvent.actor == "sue" && approvedEvent.detail["note"] == "goodwill" && approvedEvent.detail["content_sha256"] == Self.hash)
                #expect(events.first { $0.kind == "owner_assigned" }?.actor == "ana")

                let claimed = try await store.claimDueOutbox(now: R.at(minute: 4), limit: 10).filter { $0.entry.channel != .notification }
                #expect(claimed.map(\.entry.id) == [entry.id])
                #expect(claimed.first?.entry.approval?.contentSHA256 == Self.hash)
                #expect(try await store.decideApproval(id: entry.id, .reject, actor: "sue", note: nil, expectedSHA256: nil, now: R.at(minute: 5))
                    == .refused(current: .sending))
            }
        }

        @Test("a rejected reply is never sent and leaves its conversation waiting", arguments: StoreFactory.all)
        func rejection(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let id = try await L.conversation(store, "reject@example.com", minute: 0, due: 60)
                let entry = try await Self.hold(store, id)
                let decided = try await store.decideApproval(
                    id: entry.id, .reject, actor: "sue", note: "too much", expectedSHA256: nil, now: R.at(minute: 4))
                guard case let .applied(rejected) = decided else { Issue.record("not applied: \(decided)"); return }
                #expect(rejected.status == .rejected && rejected.nextAttemptAt == nil && rejected.approval?.decidedBy == "sue")
                #expect(try await store.claimDueOutbox(now: R.at(minute: 600), limit: 10).filter { $0.entry.channel != .notification }.isEmpty)
                #expect(try await store.conversation(id: id)?.owner == nil)
                #expect(try await Self.firstResponse(store, id, minute: 5) == nil)
                let event = try #require(try await store.events(id).first { $0.kind == "reply_rejected" })
                #expect(event.actor == "sue" && event.detail["note"] == "too much")
                #expect(try await store.operateOutbox(id: entry.id, .retry, actor: "ops", now: R.at(minute: 6)) == .refused(current: .rejected))
                #expect(try await store.decideApproval(id: entry.id, .approve, actor: "sue", note: nil, expectedSHA256: nil, now: R.at(minute: 6))
                    == .refused(current: .rejected))
            }
        }

        @Test("a hold past its expiry expires once, audited and notified, and can no longer be approved", arguments: StoreFactory.all)
        func expiry(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let id = try await L.conversation(store, "expire@example.com", minute: 0)
                let entry = try await Self.hold(store, id, minute: 1)
                let other = try await Self.hold(store, try await L.conversation(store, "late@example.com", minute: 2), minute: 2)
                #expect(try await store.expireApprovals(now: R.at(minute: 240), limit: 10).isEmpty)
                let expired = try await store.expireApprovals(now: R.at(minute: 241), limit: 10)
                #expect(expired.map(\.id) == [entry.id] && expired.first?.status == .expired)
                #expect(try await store.expireApprovals(now: R.at(minute: 241), limit: 10).isEmpty)
                let event = try #require(try await store.events(id).first { $0.kind == "reply_expired" })
                #expect(event.detail["amount"] == "CNY 800.00")
                #expect(try await N.notifications(store).filter { $0.conversationID == id }.map(N.type) == ["approval.requested", "approval.expired"])
                #expect(try await store.decideApproval(id: entry.id, .approve, actor: "sue", note: nil, expectedSHA256: nil, now: R.at(minute: 242))
                    == .refused(current: .expired))

                // A decision after the expiry but before the timer ran finds it expired, and expires it.
                let late = try await store.decideApproval(id: other.id, .approve, actor: "sue", note: nil, expectedSHA256: nil, now: R.at(minute: 243))
                guard case let .expired(lateEntry) = late else { Issue.record("not expired: \(late)"); return }
                #expect(lateEntry.status == .expired && lateEntry.id == other.id)
                #expect(try await store.outboxEntry(id: other.id)?.status == .expired)
                #expect(try await store.expireApprovals(now: R.at(minute: 244), limit: 10).isEmpty)
                #expect(try await store.claimDueOutbox(now: R.at(minute: 600), limit: 10).filter { $0.entry.channel != .notification }.isEmpty)
            }
        }
    }
}
