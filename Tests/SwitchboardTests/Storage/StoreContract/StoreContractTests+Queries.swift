import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// What agents, supervisors and metrics read: queues, conversations page by page.
    @Suite("Queries")
    struct Queries {
        typealias R = ContractRequests

        /// Starts a conversation `id` for `sender` in `queue`, and puts it in `state` if that is not new.
        static func start(
            _ subject: StoreUnderTest, _ id: String, queue: String, priority: Int = 3, slaDue minute: Double?, createdAt: Double = 0,
            source: String = "demo", state: ConversationState = .new
        ) async throws {
            let result = try await subject.store.ingest(R.request(
                R.inbound("\(id)@example.com", minute: createdAt, source: source, externalID: id), route: R.route(queue, priority: priority),
                slaDueAt: minute.map(R.at(minute:)), conversationID: id))
            #expect(result.conversationID == id)
            if state != .new { try await subject.setState(id, state) }
        }

        @Test("queue summaries count open and overdue conversations by queue; resolved and closed ones are not counted", arguments: StoreFactory.all)
        func queueSummaries(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                #expect(try await store.queueSummaries(now: R.start, sources: nil) == [])
                try await Self.start(subject, "conv_q1", queue: "general", slaDue: 10)
                try await Self.start(subject, "conv_q2", queue: "general", slaDue: 100)
                try await Self.start(subject, "conv_q3", queue: "billing", slaDue: nil)
                try await Self.start(subject, "conv_q4", queue: "general", slaDue: 5, state: .resolved)
                try await Self.start(subject, "conv_q5", queue: "general", slaDue: 20, source: "other")
                try await Self.start(subject, "conv_q6", queue: "general", slaDue: 1, state: .closed)
                try await Self.start(subject, "conv_q7", queue: "billing", slaDue: 30, state: .escalated)
                let now = R.at(minute: 50)
                func counts(_ sources: Set<String>?, at: Date = now) async throws -> [String] {
                    try await store.queueSummaries(now: at, sources: sources).map { "\($0.queue) \($0.open) \($0.overdue)" }
                }
                #expect(try await counts(nil) == ["billing 2 1", "general 3 2"])
                #expect(try await counts(["demo"]) == ["billing 2 1", "general 2 1"])
                #expect(try await counts(["other", "unknown"]) == ["general 1 1"])
                #expect(try await counts([]) == [])
                // Overdue means past the stored first-response deadline.
                #expect(try await counts(["demo"], at: R.at(minute: 10)) == ["billing 2 0", "general 2 0"])
            }
        }

        @Test("a conversation's messages, outbox entries and events page by cursor, each list on its own, with nothing lost or repeated", arguments: StoreFactory.all)
        func detailPaging(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                var messageIDs: [String] = []
                var conversationID = ""
                for index in 0..<5 {
                    // Two messages in the same second: the cursor tells them apart.
                    let minute = index == 3 ? 2.0 : Double(index)
                    let result = try await store.ingest(R.request(
                        R.inbound("paging@example.com", minute: minute, externalID: "page\(index)"), autoReply: "已收到"))
                    messageIDs.append(result.messageID)
                    conversationID = result.conversationID
                }
                for author in ["agent-1", "agent-2"] {
                    _ = try await store.enqueueReply(
                        PendingReply(script: nil, body: "您好", automatic: false), conversationID: conversationID, author: author,
                        idempotencyKey: nil, requestFingerprint: nil)
                }
                let whole = try #require(try await store.conversationDetail(id: conversationID, page: ConversationDetailPage(limit: 200)))
                #expect(whole.messages.count == 5)
                #expect(Set(whole.messages.map(\.id)) == Set(messageIDs))
                #expect(whole.messages.map(\.receivedAt) == [0.0, 1, 2, 2, 4].map(R.at(minute:)))
                #expect(whole.outbox.count == 3)
                #expect(whole.events.count > 10)
                #expect(whole.next == ConversationDetail.NextPages())

                var messages: [Message] = [], outbox: [OutboxEntry] = [], events: [AuditEvent] = []
                var page = ConversationDetailPage(limit: 2)
                var pages = 0
                while true {
                    let detail = try #require(try await store.conversationDetail(id: conversationID, page: page))
                    #expect(detail.conversation == whole.conversation)
                    #expect(detail.messages.count <= 2 && detail.outbox.count <= 2 && detail.events.count <= 2)
                    messages += detail.messages
                    outbox += detail.outbox
                    events += detail.events
                    pages += 1
                    guard detail.next != ConversationDetail.NextPages(), pages < 50 else { break }
                    page = ConversationDetailPage(
                        limit: 2, messagesAfter: try Self.next(detail.next.messages), outboxAfter: try Self.next(detail.next.outbox),
                        eventsAfter: try Self.next(detail.next.events))
                }
                #expect(messages == whole.messages)
                #expect(outbox == whole.outbox)
                #expect(events == whole.events)
                #expect(pages == (whole.events.count + 1) / 2)
            }
        }

        /// The next page's cursor, read back from its text; past the end of the list when it is complete, so
        /// a list that is complete comes back empty.
        static func next(_ text: String?) throws -> PageCursor {
            guard let text else { return PageCursor(position: Double.greatestFiniteMagnitude) }
            return try #require(PageCursor(text: text))
        }
    }
}
