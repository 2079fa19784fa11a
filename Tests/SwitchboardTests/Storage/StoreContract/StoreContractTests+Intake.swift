import Foundation
import Synchronization
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// Committing inbound messages: conversations, duplicates, automatic replies, cursors and the facts
    /// intake reads before classifying.
    @Suite("Intake")
    struct Intake {
        typealias R = ContractRequests

        @Test("a new message starts a conversation with its route, its message, its automatic reply and their events", arguments: StoreFactory.all)
        func newConversation(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let due = R.at(minute: 60)
                let inbound = R.inbound("alice@example.com", externalID: "n1", recipients: ["support@example.com"], subject: "订单")
                let result = try await store.ingest(R.request(
                    inbound, route: R.route("billing", priority: 2, sla: "p2"), urgency: .high, sentiment: .negative, slaDueAt: due,
                    conversationID: "conv_contract_new", autoReply: "已收到"))
                #expect(result.conversationID == "conv_contract_new")
                #expect(!result.duplicate)
                #expect(result.newConversation)
                #expect(result.threadedBy == .new)
                #expect(result.autoReplySuppressed == nil)
                let autoReplyID = try #require(result.autoReplyID)

                #expect(try await store.conversation(id: "conv_contract_new") == Conversation(
                    id: "conv_contract_new", channel: .webhook, source: "demo", customerAddress: "alice@example.com",
                    customerTier: .ordinary, language: "zh", queue: "billing", priority: 2, urgency: .high, sentiment: .negative,
                    state: .new, routeID: "route-billing", slaPolicy: "p2", slaDueAt: due, owner: nil, createdAt: R.start,
                    updatedAt: R.start))
                #expect(try await store.conversation(id: "conv_contract_missing") == nil)
                #expect(try await store.conversationDetail(id: "conv_contract_missing", page: ConversationDetailPage()) == nil)

                let detail = try #require(try await store.conversationDetail(id: "conv_contract_new", page: ConversationDetailPage()))
                #expect(detail.messages.count == 1)
                let message = try #require(detail.messages.first)
                #expect(message.id == result.messageID)
                #expect(message.conversationID == "conv_contract_new")
                #expect(message.direction == .inbound)
                #expect(message.channel == .webhook)
                #expect(message.source == "demo")
                #expect(message.externalID == "n1")
                #expect(message.sender == "alice@example.com")
                #expect(message.recipients == ["support@example.com"])
                #expect(message.subject == "订单")
                #expect(message.text == "请问订单到哪了")
                #expect(message.receivedAt == R.start)
                #expect(message.threadedBy == .new)
                #expect(message.classification?.route.queue == "billing")
                #expect(message.classification?.urgency == .high)
                #expect(message.classification?.matches.map(\.signal) == ["parcel"])
                // The raw payload is read only when asked for.
                #expect(message.rawPayload == nil)
                let raw = try await store.conversationDetail(id: "conv_contract_new", page: ConversationDetailPage(includeRaw: true))
                #expect(raw?.messages.first?.rawPayload == inbound.rawPayload)

                #expect(detail.outbox.count == 1)
                let reply = try #require(detail.outbox.first)
                #expect(reply.id == autoReplyID)
                #expect(reply.conversationID == "conv_contract_new")
                #expect(reply.channel == .webhook)
                #expect(reply.source == "demo")
                #expect(reply.recipient == "alice@example.com")
                #expect(reply.script == "ack")
                #expect(reply.body == "已收到")
                #expect(reply.status == .queued)
                #expect(reply.attempts == 0)
                #expect(reply.nextAttemptAt == R.start)
                #expect(reply.automatic)
                #expect(reply.author == "system")
                #expect(try await store.outboxEntry(id: autoReplyID) == reply)

                #expect(detail.events.map(\.kind) == ["received", "classified", "reply_queued"])
                #expect(detail.events.map(\.subjectID) == [result.messageID, result.messageID, autoReplyID])
                #expect(detail.events.allSatisfy { $0.conversationID == "conv_contract_new" && $0.at == R.start })
                #expect(detail.events[0].actor == "demo")
                #expect(detail.events[0].detail["threaded_by"] == "new")
                #expect(detail.events[1].detail["queue"] == "billing")
                #expect(detail.events[1].detail["route"] == "route-billing")
                #expect(detail.events[1].detail["rules_version"] == "sha256:contract")
                #expect(detail.next == ConversationDetail.NextPages())
            }
        }

        @Test("the same external id from the same source is stored once, and the repeat answers with the first copy's ids", arguments: StoreFactory.all)
        func duplicates(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let first = try await store.ingest(R.request(R.inbound("bob@example.com", externalID: "d1"), autoReply: "已收到"))
                let again = try await store.ingest(R.request(
                    R.inbound("bob@example.com", minute: 5, externalID: "d1", text: "又发了一次"), autoReply: "已收到"))
                #expect(again == IngestResult(
                    messageID: first.messageID, conversationID: first.conversationID, duplicate: true, newConversation: false,
                    autoReplyID: nil, threadedBy: .new))
                #expect(try await store.messages(first.conversationID).map(\.text) == ["请问订单到哪了"])
                #expect(try await store.outbox(first.conversationID).count == 1)
                let deduplicated = try #require(try await store.events(first.conversationID).last)
                #expect(deduplicated.kind == "deduplicated")
                #expect(deduplicated.subjectID == first.messageID)

                // The id is the source's own: another source's message with it is a message of its own.
                let other = try await store.ingest(R.request(R.inbound("bob@example.com", source: "other", externalID: "d1")))
                #expect(!other.duplicate)
                #expect(other.messageID != first.messageID)
                #expect(other.newConversation)

                // Messages of one batch see each other: the second copy is the first's duplicate.
                let batch = try await store.ingest([
                    R.request(R.inbound("carol@example.com", externalID: "d2")),
                    R.request(R.inbound("carol@example.com", minute: 1, externalID: "d2")),
                ])
                let original = try batch[0].get(), copy = try batch[1].get()
                #expect(!original.duplicate)
                #expect(copy.duplicate)
                #expect(copy.messageID == original.messageID)
                #expect(try await store.messages(original.conversationID).count == 1)
            }
        }

        @Test("an automatic reply is queued only with a message that starts a conversation, and never for a suppressed one", arguments: StoreFactory.all)
        func automaticReplies(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let first = try await store.ingest(R.request(R.inbound("dan@example.com", externalID: "a1"), autoReply: "已收到"))
                let acknowledgement = try #require(first.autoReplyID)
                let second = try await store.ingest(R.request(R.inbound("dan@example.com", minute: 1, externalID: "a2"), autoReply: "已收到"))
                #expect(second.conversationID == first.conversationID)
                #expect(!second.newConversation)
                #expect(second.threadedBy == .sender)
                #expect(second.autoReplyID == nil)
                #expect(second.autoReplySuppressed == nil)
                #expect(try await store.outbox(first.conversationID).map(\.id) == [acknowledgement])
                #expect(try await store.automaticReplyCount(recipient: "dan@example.com", since: R.start) == 1)
                #expect(try await store.automaticReplyCount(recipient: "dan@example.com", since: R.at(minute: 1)) == 0)

                let muted = try await store.ingest(R.request(
                    R.inbound("noreply@example.com", externalID: "a3", suppression: "auto_submitted"), autoReply: "已收到"))
                #expect(muted.newConversation)
                #expect(muted.autoReplyID == nil)
                #expect(muted.autoReplySuppressed == "auto_submitted")
                #expect(try await store.outbox(muted.conversationID).isEmpty)
                let suppressed = try await store.events(muted.conversationID).filter { $0.kind == "auto_reply_suppressed" }
                #expect(suppressed.map(\.detail) == [["reason": "auto_submitted"]])
                #expect(try await store.automaticReplyCount(recipient: "noreply@example.com", since: R.start) == 0)

                // A message that joins would not have been acknowledged anyway: nothing is reported suppressed.
                let joining = try await store.ingest(R.request(
                    R.inbound("dan@example.com", minute: 2, externalID: "a4", suppression: "auto_submitted"), autoReply: "已收到"))
                #expect(joining.conversationID == first.conversationID)
                #expect(joining.autoReplySuppressed == nil)
                #expect(!(try await store.eventKinds(first.conversationID)).contains("auto_reply_suppressed"))
            }
        }

        @Test("a stream's cursor moves with its messages, only forward within one validity, and a repeat still moves it", arguments: StoreFactory.all)
        func cursors(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                func cursor(_ validity: Int64, _ position: Int64) -> IntakeCursor {
                    IntakeCursor(source: "mailbox", stream: "INBOX", validity: validity, position: position)
                }
                #expect(try await store.intakeCursor(source: "mailbox", stream: "INBOX") == nil)
                _ = try await store.ingest(R.request(R.inbound("f@example.com", externalID: "k10", cursor: cursor(7, 10))))
                #expect(try await store.intakeCursor(source: "mailbox", stream: "INBOX") == cursor(7, 10))
                _ = try await store.ingest(R.request(R.inbound("f@example.com", minute: 1, externalID: "k5", cursor: cursor(7, 5))))
                #expect(try await store.intakeCursor(source: "mailbox", stream: "INBOX") == cursor(7, 10))
                // A new validity numbers the mailbox afresh.
                _ = try await store.ingest(R.request(R.inbound("f@example.com", minute: 2, externalID: "k3", cursor: cursor(8, 3))))
                #expect(try await store.intakeCursor(source: "mailbox", stream: "INBOX") == cursor(8, 3))
                // A copy fetched again is not stored again, but its position counts.
                let repeated = try await store.ingest(R.request(R.inbound("f@example.com", minute: 3, externalID: "k3", cursor: cursor(8, 4))))
                #expect(repeated.duplicate)
                #expect(try await store.intakeCursor(source: "mailbox", stream: "INBOX") == cursor(8, 4))
                #expect(try await store.intakeCursor(source: "mailbox", stream: "Archive") == nil)
                #expect(try await store.intakeCursor(source: "other", stream: "INBOX") == nil)
            }
        }

        /// The structural facts the classifier gets about the conversation a message joins: how often the
        /// customer wrote, when last, and since when they have waited for a person (an automatic
        /// acknowledgement does not end a wait; an agent's reply does).
        @Test("the context of the conversation a message would join: prior messages, last contact, the wait since the last agent reply", arguments: StoreFactory.all)
        func conversationContext(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                func message(_ index: Int) -> InboundMessage {
                    R.inbound("wait@example.com", minute: Double(index) * 10, externalID: "c\(index)")
                }
                #expect(try await store.conversationContext(for: message(0)) == nil)
                let first = try await store.ingest(R.request(message(0), autoReply: "已收到"))
                #expect(first.autoReplyID != nil)
                _ = try await store.ingest(R.request(message(1)))
                #expect(try await store.conversationContext(for: message(2)) == ConversationContext(
                    priorInboundMessages: 2, lastInboundAt: R.at(minute: 10), waitingSince: R.start, reopening: false))

                _ = try await store.enqueueReply(
                    PendingReply(script: nil, body: "我们正在处理", automatic: false), conversationID: first.conversationID,
                    author: "agent-1", idempotencyKey: nil, requestFingerprint: nil)
                #expect(try await store.conversationContext(for: message(2)) == ConversationContext(
                    priorInboundMessages: 2, lastInboundAt: R.at(minute: 10), waitingSince: nil, reopening: false))
                _ = try await store.ingest(R.request(message(2)))
                #expect(try await store.conversationContext(for: message(3)) == ConversationContext(
                    priorInboundMessages: 3, lastInboundAt: R.at(minute: 20), waitingSince: R.at(minute: 20), reopening: false))
                // The facts concern the customer's conversation on the message's source only.
                #expect(try await store.conversationContext(for: R.inbound("wait@example.com", source: "other")) == nil)
            }
        }

        /// Intake reads the context and the auto-reply count in one trip; the answers must be the two reads'.
        @Test("the combined intake read agrees with the two reads it replaces, for one message or a fetch", arguments: StoreFactory.all)
        func intakeFacts(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let since = R.start.addingTimeInterval(-3_600)
                func message(_ index: Int, source: String = "demo") -> InboundMessage {
                    R.inbound("facts@example.com", minute: Double(index), source: source, externalID: "f\(index)")
                }
                #expect(try await store.intakeFacts(for: message(0), automaticRepliesSince: since) == .starts(automaticRepliesSent: 0))
                let first = try await store.ingest(R.request(message(0), autoReply: "已收到"))
                #expect(first.autoReplyID != nil)

                // The next message joins the conversation: its context, and (by the type) no count.
                let joining = try await store.intakeFacts(for: message(1), automaticRepliesSince: since)
                #expect(joining.context == ConversationContext(priorInboundMessages: 1, lastInboundAt: R.start, waitingSince: R.start, reopening: false))
                #expect(joining.context == (try await store.conversationContext(for: message(1))))
                #expect(joining.conversationID == nil || joining.conversationID == first.conversationID)

                // From another source the sender starts a new conversation, and the acknowledgement sent counts.
                let elsewhere = try await store.intakeFacts(for: message(2, source: "other"), automaticRepliesSince: since)
                #expect(elsewhere == .starts(automaticRepliesSent: 1))
                #expect(elsewhere == .starts(automaticRepliesSent: try await store.automaticReplyCount(recipient: "facts@example.com", since: since)))
                // Outside the window it does not.
                let later = try await store.intakeFacts(for: message(2, source: "other"), automaticRepliesSince: R.at(minute: 1))
                #expect(later == .starts(automaticRepliesSent: 0))

                // Read for a whole fetch in one trip, each answer is the one its message reads alone, in order.
                let batch = [(message(1), since), (message(2, source: "other"), since), (message(2, source: "other"), R.at(minute: 1)),
                             (R.inbound("nobody@example.com", externalID: "n0"), since)]
                var alone: [IntakeFacts] = []
                for (inbound, from) in batch { alone.append(try await store.intakeFacts(for: inbound, automaticRepliesSince: from)) }
                #expect(try await store.intakeFacts(for: batch.map { (inbound: $0.0, automaticRepliesSince: $0.1) }) == alone)
                #expect(alone == [joining, elsewhere, later, .starts(automaticRepliesSent: 0)])
                #expect(try await store.intakeFacts(for: []).isEmpty)
            }
        }

        @Test("prepared requests commit as plain ones do, and batches handed over one by one are answered once each, in order", arguments: StoreFactory.all)
        func preparedBatches(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let single = try await Self.ingestPrepared(store, [R.request(R.inbound("p@example.com", externalID: "p0"))])
                #expect(single.count == 1)
                let started = try single[0].get()
                #expect(started.newConversation)

                let outcomes = await Self.ingestInBatches(store, [
                    [R.request(R.inbound("p@example.com", minute: 1, externalID: "p1")), R.request(R.inbound("q@example.com", minute: 1, externalID: "q1"))],
                    [R.request(R.inbound("p@example.com", minute: 2, externalID: "p0"))],
                    [R.request(R.inbound("q@example.com", minute: 3, externalID: "q2"), autoReply: "已收到")],
                ])
                #expect(outcomes.count == 3)
                let results = try outcomes.map { try $0.get().map { try $0.get() } }
                #expect(results.map(\.count) == [2, 1, 1])
                #expect(results[0][0].conversationID == started.conversationID)
                #expect(results[0][0].threadedBy == .sender)
                #expect(results[0][1].newConversation)
                #expect(results[1][0].duplicate)
                #expect(results[1][0].messageID == started.messageID)
                #expect(results[2][0].conversationID == results[0][1].conversationID)
                #expect(results[2][0].autoReplyID == nil)
                #expect(try await store.messages(started.conversationID).count == 2)
            }
        }

        /// Prepares each request as the group committer does, then commits them in one transaction.
        static func ingestPrepared<Store: IntakeStore>(_ store: Store, _ requests: [IngestRequest]) async throws -> [Result<IngestResult, any Error>] {
            try await store.ingest(prepared: requests.map(store.prepare))
        }

        /// Hands `batches` to the store's batch loop, calling it again while any is left (a store may stop
        /// taking them early), and returns what `finished` reported, in the order it reported it.
        static func ingestInBatches<Store: IntakeStore>(
            _ store: Store, _ batches: [[IngestRequest]]
        ) async -> [Result<[Result<IngestResult, any Error>], any Error>] {
            let feed = Feed<Store.PreparedIngest, Result<[Result<IngestResult, any Error>], any Error>>(batches.map { $0.map(store.prepare) })
            while feed.waiting.withLock({ !$0.isEmpty }) {
                await store.ingestBatches(
                    next: { feed.waiting.withLock { $0.isEmpty ? nil : $0.removeFirst() } },
                    finished: { outcome in feed.outcomes.withLock { $0.append(outcome) } })
            }
            return feed.outcomes.withLock { $0 }
        }
    }
}

/// Batches waiting to be handed to a store, and the outcomes it reported, shared with its callbacks.
private final class Feed<Item: Sendable, Outcome: Sendable>: Sendable {
    let waiting: Mutex<[[Item]]>
    let outcomes = Mutex<[Outcome]>([])

    init(_ batches: [[Item]]) { waiting = Mutex(batches) }
}
