import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// The shared outbox: agents' replies, the dispatcher's claims and outcomes, providers' delivery reports.
    @Suite("Outbox")
    struct Outbox {
        typealias R = ContractRequests

        static func agentReply(_ body: String = "您好", script: String? = nil) -> PendingReply {
            PendingReply(script: script, body: body, automatic: false)
        }

        @Test("an agent's reply is queued to the customer; an idempotency key replays the same request and refuses a different one", arguments: StoreFactory.all)
        func enqueueReply(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let started = try await store.ingest(R.request(R.inbound("gina@example.com", externalID: "e1")))
                let first = try await store.enqueueReply(
                    Self.agentReply(script: "greeting"), conversationID: started.conversationID, author: "agent-1",
                    idempotencyKey: "key-1", requestFingerprint: "fp-1")
                guard case let .created(entry) = first else { Issue.record("not created: \(first)"); return }
                #expect(entry.conversationID == started.conversationID)
                #expect(entry.channel == .webhook)
                #expect(entry.source == "demo")
                #expect(entry.recipient == "gina@example.com")
                #expect(entry.script == "greeting")
                #expect(entry.body == "您好")
                #expect(entry.status == .queued)
                #expect(entry.attempts == 0)
                #expect(entry.nextAttemptAt != nil)
                #expect(entry.lastError == nil)
                #expect(!entry.automatic)
                #expect(entry.author == "agent-1")
                #expect(entry.providerMessageID == nil)
                // The entry as stored; a store may keep a time to less than a `Date`'s precision.
                #expect(try await store.outboxEntry(id: entry.id)?.toMillisecond == entry.toMillisecond)

                let replayed = try await store.enqueueReply(
                    Self.agentReply(script: "greeting"), conversationID: started.conversationID, author: "agent-1",
                    idempotencyKey: "key-1", requestFingerprint: "fp-1")
                guard case let .replayed(first) = replayed else { Issue.record("not replayed: \(replayed)"); return }
                #expect(first.toMillisecond == entry.toMillisecond)
                let conflicting = try await store.enqueueReply(
                    Self.agentReply("别的话"), conversationID: started.conversationID, author: "agent-1",
                    idempotencyKey: "key-1", requestFingerprint: "fp-2")
                #expect(conflicting == .conflict)
                // Keys are each agent's own.
                let otherAgent = try await store.enqueueReply(
                    Self.agentReply(), conversationID: started.conversationID, author: "agent-2", idempotencyKey: "key-1",
                    requestFingerprint: "fp-1")
                guard case let .created(second) = otherAgent else { Issue.record("not created: \(otherAgent)"); return }
                #expect(second.id != entry.id)
                #expect(second.author == "agent-2")

                let missing = await #expect(throws: SwitchboardError.self) {
                    _ = try await store.enqueueReply(
                        Self.agentReply(), conversationID: "conv_contract_missing", author: "agent-1", idempotencyKey: nil, requestFingerprint: nil)
                }
                #expect(missing?.code == .notFound)
                #expect(try await store.outbox(started.conversationID).map(\.id).sorted() == [entry.id, second.id].sorted())
                #expect(try await store.outboxCounts() == [.queued: 2])
                let queued = try await store.events(started.conversationID).filter { $0.kind == "reply_queued" }
                #expect(queued.map(\.actor).sorted() == ["agent-1", "agent-2"])
                #expect(queued.allSatisfy { $0.detail["automatic"] == "false" })
            }
        }

        @Test("whoever answers first owns the conversation; a reply moves a waiting conversation to in progress", arguments: StoreFactory.all)
        func firstContactOwnership(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let started = try await store.ingest(R.request(R.inbound("hana@example.com", externalID: "o1"), autoReply: "已收到"))
                let id = started.conversationID
                // The acknowledgement going out leaves the conversation new (no human has it yet), and sets no owner.
                let now = R.at(minute: 1)
                let acknowledgement = try #require(started.autoReplyID)
                #expect(try await store.claimDueOutbox(now: now, limit: 10).map(\.entry.id) == [acknowledgement])
                try await store.recordDelivery(outboxID: acknowledgement, outcome: .delivered(detail: "200"), now: now)
                #expect(try await store.conversation(id: id)?.state == .new)
                #expect(try await store.conversation(id: id)?.owner == nil)

                _ = try await store.enqueueReply(Self.agentReply(), conversationID: id, author: "agent-1", idempotencyKey: nil, requestFingerprint: nil)
                var conversation = try #require(try await store.conversation(id: id))
                #expect(conversation.owner == "agent-1")
                #expect(conversation.state == .inProgress)
                _ = try await store.enqueueReply(Self.agentReply("补充"), conversationID: id, author: "agent-2", idempotencyKey: nil, requestFingerprint: nil)
                conversation = try #require(try await store.conversation(id: id))
                #expect(conversation.owner == "agent-1")
                #expect(conversation.state == .inProgress)
                let assigned = try await store.events(id).filter { $0.kind == "owner_assigned" }
                #expect(assigned.map(\.actor) == ["agent-1"])
                #expect(assigned.map(\.detail) == [["owner": "agent-1"]])

                // An escalated conversation keeps its state when answered.
                let escalated = try await store.ingest(R.request(R.inbound("ivan@example.com", externalID: "o2")))
                try await subject.setState(escalated.conversationID, .escalated)
                _ = try await store.enqueueReply(
                    Self.agentReply(), conversationID: escalated.conversationID, author: "agent-2", idempotencyKey: nil, requestFingerprint: nil)
                conversation = try #require(try await store.conversation(id: escalated.conversationID))
                #expect(conversation.state == .escalated)
                #expect(conversation.owner == "agent-2")
            }
        }

        /// The dispatcher reads nothing else before sending: the claim must bring the conversation and the
        /// newest inbound message, the same ones the separate reads give.
        @Test("a claimed entry comes with its conversation and the newest inbound message it answers", arguments: StoreFactory.all)
        func claimCarriesContext(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                func message(_ index: Int) -> InboundMessage {
                    R.inbound("claim@example.com", minute: Double(index), externalID: "claim\(index)", subject: "订单 \(index)")
                }
                let first = try await store.ingest(R.request(message(0), autoReply: "已收到"))
                let acknowledgement = try #require(first.autoReplyID)
                let second = try await store.ingest(R.request(message(1)))
                #expect(second.conversationID == first.conversationID)

                let claimed = try await store.claimDueOutbox(now: R.at(minute: 5), limit: 10)
                #expect(claimed.count == 1)
                let delivery = try #require(claimed.first)
                #expect(delivery.entry.id == acknowledgement)
                #expect(delivery.entry.status == .sending)
                #expect(delivery.entry.attempts == 1)
                #expect(try await store.outboxEntry(id: acknowledgement) == delivery.entry)
                #expect(delivery.conversation == (try await store.conversation(id: first.conversationID)))
                #expect(delivery.replyingTo?.id == second.messageID)
                #expect(delivery.replyingTo?.subject == "订单 1")
                // The raw payload, which no channel sends, stays out of the claim.
                #expect(delivery.replyingTo?.rawPayload == nil)
                // Claimed once: it is `sending` now.
                #expect(try await store.claimDueOutbox(now: R.at(minute: 5), limit: 10).isEmpty)
                #expect(try await store.outboxCounts() == [.sending: 1])
            }
        }

        @Test("claims take due entries only, the earliest first, up to the limit; the next due time is the earliest queued one", arguments: StoreFactory.all)
        func claimOrder(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                #expect(try await store.nextOutboxDueDate() == nil)
                var replies: [String] = []
                for (index, minute) in [2.0, 0, 1].enumerated() {
                    let result = try await store.ingest(R.request(
                        R.inbound("due\(index)@example.com", minute: minute, externalID: "due\(index)"), autoReply: "已收到"))
                    replies.append(try #require(result.autoReplyID))
                }
                #expect(try await store.nextOutboxDueDate() == R.start)
                #expect(try await store.claimDueOutbox(now: R.at(minute: 1.5), limit: 1).map(\.entry.id) == [replies[1]])
                #expect(try await store.nextOutboxDueDate() == R.at(minute: 1))
                #expect(try await store.claimDueOutbox(now: R.at(minute: 1.5), limit: 5).map(\.entry.id) == [replies[2]])
                #expect(try await store.claimDueOutbox(now: R.at(minute: 1.5), limit: 5).isEmpty)
                #expect(try await store.nextOutboxDueDate() == R.at(minute: 2))
                #expect(try await store.claimDueOutbox(now: R.at(minute: 2), limit: 5).map(\.entry.id) == [replies[0]])
                #expect(try await store.nextOutboxDueDate() == nil)
            }
        }

        /// The recorded outcome decides the stored status; a retry is due `after` seconds from the record.
        @Test("a recorded retry is due after its delay, and a dead letter is final", arguments: StoreFactory.all)
        func retryAndDeadLetter(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let ingested = try await store.ingest(R.request(R.inbound("retry@example.com", externalID: "retry0"), autoReply: "已收到"))
                let outboxID = try #require(ingested.autoReplyID)
                let now = R.at(minute: 1)
                #expect(try await store.claimDueOutbox(now: now, limit: 1).map(\.entry.id) == [outboxID])

                try await store.recordDelivery(outboxID: outboxID, outcome: .retry(error: "receiver answered HTTP 503", after: 30), now: now)
                let queued = try #require(try await store.outboxEntry(id: outboxID))
                #expect(queued.status == .queued)
                #expect(queued.attempts == 1)
                #expect(queued.lastError == "receiver answered HTTP 503")
                #expect(queued.nextAttemptAt == now.addingTimeInterval(30))
                #expect(try await store.nextOutboxDueDate() == now.addingTimeInterval(30))
                #expect(try await store.claimDueOutbox(now: now.addingTimeInterval(29), limit: 1).isEmpty)
                let again = try await store.claimDueOutbox(now: now.addingTimeInterval(30), limit: 1)
                #expect(again.map(\.entry.attempts) == [2])

                try await store.recordDelivery(
                    outboxID: outboxID, outcome: .deadLettered(error: "receiver answered HTTP 503 (gave up after 2 attempts)"),
                    now: now.addingTimeInterval(30))
                let dead = try #require(try await store.outboxEntry(id: outboxID))
                #expect(dead.status == .deadLettered)
                #expect(dead.attempts == 2)
                #expect(dead.lastError == "receiver answered HTTP 503 (gave up after 2 attempts)")
                #expect(try await store.claimDueOutbox(now: now.addingTimeInterval(3_600), limit: 1).isEmpty)
                #expect(try await store.nextOutboxDueDate() == nil)
                // A dead letter leaves the conversation new.
                #expect(try await store.conversation(id: ingested.conversationID)?.state == .new)
                let attempts = try await store.events(ingested.conversationID).filter { $0.kind == "delivery_attempt" }
                #expect(attempts.map { $0.detail["result"] } == ["queued", "dead_lettered"])
                #expect(attempts.map { $0.detail["attempt"] } == ["1", "2"])
                #expect(attempts.map(\.at) == [now, now.addingTimeInterval(30)])
                #expect(try await store.outboxCounts() == [.deadLettered: 1])
            }
        }

        @Test("a failure is final, a submission waits as sent with the provider's id, and a delivery is delivered", arguments: StoreFactory.all)
        func finalOutcomes(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                var entries: [String] = []
                for index in 0..<3 {
                    let result = try await store.ingest(R.request(
                        R.inbound("final\(index)@example.com", channel: .sms, source: "sms", externalID: "final\(index)"), autoReply: "已收到"))
                    entries.append(try #require(result.autoReplyID))
                }
                let now = R.at(minute: 1)
                #expect(try await store.claimDueOutbox(now: now, limit: 10).count == 3)
                try await store.recordDelivery(outboxID: entries[0], outcome: .failed(error: "receiver answered HTTP 400"), now: now)
                try await store.recordDelivery(outboxID: entries[1], outcome: .submitted(detail: "queued", providerMessageID: "SM-1"), now: now)
                try await store.recordDelivery(outboxID: entries[2], outcome: .delivered(detail: "200"), now: now)

                let failed = try #require(try await store.outboxEntry(id: entries[0]))
                #expect(failed.status == .failed)
                #expect(failed.lastError == "receiver answered HTTP 400")
                #expect(try await store.conversation(id: failed.conversationID)?.state == .new)
                let sent = try #require(try await store.outboxEntry(id: entries[1]))
                #expect(sent.status == .sent)
                #expect(sent.providerMessageID == "SM-1")
                #expect(sent.lastError == nil)
                #expect(try await store.conversation(id: sent.conversationID)?.state == .new)
                let delivered = try #require(try await store.outboxEntry(id: entries[2]))
                #expect(delivered.status == .delivered)
                #expect(delivered.updatedAt == now)
                #expect(try await store.conversation(id: delivered.conversationID)?.state == .new)
                #expect(try await store.outboxCounts() == [.failed: 1, .sent: 1, .delivered: 1])
                #expect(try await store.claimDueOutbox(now: R.at(minute: 60), limit: 10).isEmpty)
            }
        }

        /// Reports may come twice, late, out of order or before the submission was recorded: an entry only
        /// moves forward, and a final status stays.
        @Test("delivery reports move an entry forward only, and name what they did", arguments: StoreFactory.all)
        func deliveryReports(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                var entries: [String] = []
                var conversations: [String] = []
                for index in 0..<4 {
                    let result = try await store.ingest(R.request(
                        R.inbound("+86138000000\(index)", minute: Double(index), channel: .sms, source: "sms", externalID: "dlr\(index)"),
                        autoReply: "已收到"))
                    entries.append(try #require(result.autoReplyID))
                    conversations.append(result.conversationID)
                }
                func report(_ state: DeliveryReport.State, outboxID: String? = nil, providerID: String? = nil, source: String = "sms", status: String = "DLR") async throws -> DeliveryReportOutcome {
                    try await store.recordDeliveryReport(DeliveryReport(
                        source: source, outboxID: outboxID, providerMessageID: providerID, state: state, providerStatus: status,
                        receivedAt: R.at(minute: 10)))
                }
                // Entries 0 and 1 are attempted (0 submitted, 1 still sending); 2 and 3 never were.
                #expect(try await store.claimDueOutbox(now: R.at(minute: 1), limit: 10).map(\.entry.id) == [entries[0], entries[1]])
                try await store.recordDelivery(outboxID: entries[0], outcome: .submitted(detail: nil, providerMessageID: "SM-0"), now: R.at(minute: 1))

                #expect(try await report(.accepted, providerID: "SM-0") == .unchanged(.sent))
                #expect(try await report(.delivered, providerID: "SM-0", status: "delivered") == .applied(.delivered))
                #expect(try await report(.delivered, providerID: "SM-0", status: "delivered") == .unchanged(.delivered))
                #expect(try await report(.failed, providerID: "SM-0", status: "undelivered 30003") == .unchanged(.delivered))
                #expect(try await store.outboxEntry(id: entries[0])?.status == .delivered)
                let reported = try await store.events(conversations[0]).filter { $0.kind == "delivery_report" }
                #expect(reported.map { $0.detail["result"] } == ["unchanged", "delivered", "unchanged", "unchanged"])
                #expect(reported.allSatisfy { $0.subjectID == entries[0] && $0.detail["provider_message_id"] == "SM-0" })

                // A report that overtakes the submission's answer stands; the slower answer does not move it back.
                #expect(try await report(.failed, outboxID: entries[1], status: "undelivered 30003") == .applied(.failed))
                try await store.recordDelivery(outboxID: entries[1], outcome: .submitted(detail: nil, providerMessageID: "SM-1"), now: R.at(minute: 11))
                let overtaken = try #require(try await store.outboxEntry(id: entries[1]))
                #expect(overtaken.status == .failed)
                #expect(overtaken.lastError == "delivery report: undelivered 30003")
                #expect(try await store.claimDueOutbox(now: R.at(minute: 60), limit: 10).map(\.entry.id) == [entries[2], entries[3]])

                // Entry 2 is sending now: an acceptance moves it to sent; its conversation stays new.
                #expect(try await report(.accepted, outboxID: entries[2]) == .applied(.sent))
                #expect(try await store.conversation(id: conversations[2])?.state == .new)

                // Reports that match no entry of their source.
                #expect(try await report(.delivered, providerID: "SM-unknown") == .unknownEntry)
                #expect(try await report(.delivered, outboxID: "out_missing") == .unknownEntry)
                #expect(try await report(.delivered, outboxID: entries[3], source: "other-sms") == .unknownEntry)
                #expect(try await report(.delivered, providerID: "SM-0", source: "other-sms") == .unknownEntry)
                #expect(try await report(.delivered) == .unknownEntry)
                #expect(try await store.outboxEntry(id: entries[3])?.status == .sending)
            }
        }

        @Test("a report for an entry never attempted leaves it queued", arguments: StoreFactory.all)
        func reportBeforeAttempt(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let result = try await store.ingest(R.request(R.inbound("+8613900000000", channel: .sms, source: "sms", externalID: "early"), autoReply: "已收到"))
                let entry = try #require(result.autoReplyID)
                let outcome = try await store.recordDeliveryReport(DeliveryReport(
                    source: "sms", outboxID: entry, providerMessageID: nil, state: .delivered, providerStatus: "DLR 1", receivedAt: R.at(minute: 1)))
                #expect(outcome == .unchanged(.queued))
                #expect(try await store.outboxEntry(id: entry)?.status == .queued)
                #expect(try await store.conversation(id: result.conversationID)?.state == .new)
            }
        }

        @Test("entries left sending by a process that died go back to the queue, due at once", arguments: StoreFactory.all)
        func requeueAbandoned(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                #expect(try await store.requeueAbandonedDeliveries(now: R.start) == 0)
                let early = try #require(try await store.ingest(R.request(R.inbound("early@example.com", externalID: "ab0"), autoReply: "已收到")).autoReplyID)
                let late = try #require(try await store.ingest(R.request(R.inbound("late@example.com", minute: 5, externalID: "ab1"), autoReply: "已收到")).autoReplyID)
                #expect(try await store.claimDueOutbox(now: R.at(minute: 1), limit: 10).map(\.entry.id) == [early])
                #expect(try await store.nextOutboxDueDate() == R.at(minute: 5))

                #expect(try await store.requeueAbandonedDeliveries(now: R.at(minute: 2)) == 1)
                let requeued = try #require(try await store.outboxEntry(id: early))
                #expect(requeued.status == .queued)
                #expect(requeued.attempts == 1)
                #expect(requeued.nextAttemptAt == R.at(minute: 2))
                #expect(try await store.nextOutboxDueDate() == R.at(minute: 2))
                #expect(try await store.outboxCounts() == [.queued: 2])
                #expect(try await store.outboxEntry(id: late)?.nextAttemptAt == R.at(minute: 5))
                #expect(try await store.requeueAbandonedDeliveries(now: R.at(minute: 3)) == 0)
            }
        }
    }
}
