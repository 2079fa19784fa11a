import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// Retention: what a purge removes and what it must keep.
    @Suite("Maintenance")
    struct Maintenance {
        typealias R = ContractRequests

        static let year: TimeInterval = 365 * 86_400

        @Test("a purge removes old messages, final replies, events, emptied conversations and old access records; a pending reply keeps its conversation", arguments: StoreFactory.all)
        func purge(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let laterMinute = 2 * Self.year / 60, later = R.at(minute: laterMinute)
                // Old, and its acknowledgement delivered: everything goes.
                let done = try await store.ingest(R.request(R.inbound("old@example.com", externalID: "old"), autoReply: "已收到"))
                let doneReply = try #require(done.autoReplyID)
                #expect(try await store.claimDueOutbox(now: R.at(minute: 1), limit: 10).map(\.entry.id) == [doneReply])
                try await store.recordDelivery(outboxID: doneReply, outcome: .delivered(detail: "200"), now: R.at(minute: 2))
                // Old, but its acknowledgement never went out: the reply and the conversation stay.
                let pending = try await store.ingest(R.request(R.inbound("pending@example.com", minute: 10, externalID: "pending"), autoReply: "已收到"))
                let pendingReply = try #require(pending.autoReplyID)
                // Newer than the cut-off: all of it stays.
                let recent = try await store.ingest(R.request(
                    R.inbound("new@example.com", minute: laterMinute, externalID: "new"), autoReply: "已收到"))
                try await store.recordAccess(AccessRecord(at: R.start, actor: "alice", method: "GET", path: "/v1/queues", status: 200, client: "127.0.0.1"))
                try await store.recordAccess(AccessRecord(at: later, actor: AccessRecord.unknownActor, method: "GET", path: "/v1/queues", status: 401))

                let cutoff = R.start.addingTimeInterval(Self.year)
                var expected = PurgeCounts()
                expected.messages = 2
                expected.conversations = 1
                expected.outboxEntries = 1
                // received, classified, reply_queued and delivery_attempt; received, classified and reply_queued.
                expected.events = 7
                expected.accessRecords = 1
                #expect(try await store.purge(before: cutoff, accessLogBefore: cutoff) == expected)

                #expect(try await store.conversation(id: done.conversationID) == nil)
                // Its clock logs went with it; a kept conversation keeps its own.
                #expect(try await subject.lifecycle.clockLogs(conversationID: done.conversationID).isEmpty)
                #expect(try await subject.lifecycle.clockLogs(conversationID: recent.conversationID)[.firstResponse]?.count == 1)
                #expect(try await store.outboxEntry(id: doneReply) == nil)

                let kept = try #require(try await store.conversationDetail(id: pending.conversationID, page: ConversationDetailPage()))
                #expect(kept.messages.isEmpty)
                #expect(kept.events.isEmpty)
                #expect(kept.outbox.map(\.id) == [pendingReply])
                #expect(kept.outbox.first?.status == .queued)

                let untouched = try #require(try await store.conversationDetail(id: recent.conversationID, page: ConversationDetailPage()))
                #expect(untouched.messages.map(\.id) == [recent.messageID])
                #expect(untouched.outbox.map(\.id) == [recent.autoReplyID])
                #expect(untouched.events.map(\.kind) == ["received", "classified", "reply_queued"])
                #expect(try await store.outboxCounts() == [.queued: 2])

                // Nothing is left to remove.
                #expect(try await store.purge(before: cutoff, accessLogBefore: cutoff) == PurgeCounts())
                // The later access record is kept until its own cut-off passes.
                var accessOnly = PurgeCounts()
                accessOnly.accessRecords = 1
                #expect(try await store.purge(before: cutoff, accessLogBefore: later.addingTimeInterval(1)) == accessOnly)
            }
        }
    }
}
