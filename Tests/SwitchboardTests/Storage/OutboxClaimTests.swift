import Foundation
import SQLiteStorage
import SwitchboardCore
import Testing

@Suite("Outbox claim")
struct OutboxClaimTests {
    /// The dispatcher reads nothing else before sending: the claim must bring the conversation and the
    /// newest inbound message, the same ones the separate reads gave.
    @Test("a claimed entry comes with its conversation and the newest inbound message it answers")
    func claimCarriesContext() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, intake) = try ConversationContextTests.storeAndIntake(in: directory)
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        func message(_ index: Int) -> InboundMessage {
            InboundMessage(
                channel: .webhook, source: "demo", externalID: "claim\(index)", sender: "claim@example.com",
                subject: "订单 \(index)", text: "请问订单 \(index) 到哪了", receivedAt: start.addingTimeInterval(Double(index) * 60),
                rawPayload: Data("raw \(index)".utf8))
        }
        let first = try await intake.accept(message(0))
        let acknowledgement = try #require(first.autoReplyID)
        let second = try await intake.accept(message(1))
        #expect(second.conversationID == first.conversationID)

        let claimed = try await store.claimDueOutbox(now: Date().addingTimeInterval(60), limit: 10)
        #expect(claimed.count == 1)
        let delivery = try #require(claimed.first)
        #expect(delivery.entry.id == acknowledgement)
        #expect(delivery.entry.status == .sending)
        #expect(delivery.entry.attempts == 1)
        #expect(delivery.conversation == (try await store.conversation(id: first.conversationID)))
        #expect(delivery.replyingTo?.id == second.messageID)
        #expect(delivery.replyingTo?.subject == "订单 1")
        // The raw payload, which no channel sends, stays out of the claiming write.
        #expect(delivery.replyingTo?.rawPayload == nil)
        // Claimed once: it is `sending` now.
        #expect(try await store.claimDueOutbox(now: Date().addingTimeInterval(60), limit: 10).isEmpty)
    }

    /// The recorded outcome decides the stored status; a retry is due `after` seconds from the record.
    @Test("a recorded retry is due after its delay, and a dead letter is final")
    func recordedOutcomes() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, intake) = try ConversationContextTests.storeAndIntake(in: directory)
        let ingested = try await intake.accept(
            InboundMessage(channel: .webhook, source: "demo", externalID: "retry0", sender: "retry@example.com", text: "请问订单到哪了"))
        let outboxID = try #require(ingested.autoReplyID)
        let now = Date().addingTimeInterval(60)
        #expect(try await store.claimDueOutbox(now: now, limit: 1).map(\.entry.id) == [outboxID])

        try await store.recordDelivery(outboxID: outboxID, outcome: .retry(error: "receiver answered HTTP 503", after: 30), now: now)
        let queued = try #require(try await store.outboxEntry(id: outboxID))
        #expect(queued.status == .queued)
        #expect(queued.lastError == "receiver answered HTTP 503")
        let due = try #require(queued.nextAttemptAt)
        #expect(abs(due.timeIntervalSince(now) - 30) < 0.001)
        #expect(try await store.claimDueOutbox(now: now.addingTimeInterval(29), limit: 1).isEmpty)
        let again = try await store.claimDueOutbox(now: now.addingTimeInterval(30), limit: 1)
        #expect(again.map(\.entry.attempts) == [2])

        try await store.recordDelivery(
            outboxID: outboxID, outcome: .deadLettered(error: "receiver answered HTTP 503 (gave up after 2 attempts)"),
            now: now.addingTimeInterval(30))
        let dead = try #require(try await store.outboxEntry(id: outboxID))
        #expect(dead.status == .deadLettered)
        #expect(dead.lastError == "receiver answered HTTP 503 (gave up after 2 attempts)")
        #expect(try await store.claimDueOutbox(now: now.addingTimeInterval(3_600), limit: 1).isEmpty)
    }
}
