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
                #expect(try await store.queueSummaries(now: now, sources: nil) == [
                    QueueSummary(queue: "billing", open: 2, overdue: 1), QueueSummary(queue: "general", open: 3, overdue: 2),
                ])
                #expect(try await store.queueSummaries(now: now, sources: ["demo"]) == [
                    QueueSummary(queue: "billing", open: 2, overdue: 1), QueueSummary(queue: "general", open: 2, overdue: 1),
                ])
                #expect(try await store.queueSummaries(now: now, sources: ["other", "unknown"]) == [QueueSummary(queue: "general", open: 1, overdue: 1)])
                #expect(try await store.queueSummaries(now: now, sources: []) == [])
                // Overdue means past the deadline.
                #expect(try await store.queueSummaries(now: R.at(minute: 10), sources: ["demo"]) == [
                    QueueSummary(queue: "billing", open: 2, overdue: 0), QueueSummary(queue: "general", open: 2, overdue: 0),
                ])
            }
        }

        @Test("a queue's conversations come most urgent first: by priority, then deadline (none last), then age", arguments: StoreFactory.all)
        func conversationsInQueue(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                try await Self.start(subject, "conv_t1", queue: "triage", priority: 3, slaDue: 100, createdAt: 0)
                try await Self.start(subject, "conv_t2", queue: "triage", priority: 2, slaDue: nil, createdAt: 1)
                try await Self.start(subject, "conv_t3", queue: "triage", priority: 3, slaDue: 50, createdAt: 2)
                try await Self.start(subject, "conv_t4", queue: "triage", priority: 3, slaDue: nil, createdAt: 3)
                try await Self.start(subject, "conv_t5", queue: "triage", priority: 3, slaDue: nil, createdAt: 4)
                try await Self.start(subject, "conv_t6", queue: "triage", priority: 1, slaDue: 1, createdAt: 5, state: .resolved)
                try await Self.start(subject, "conv_t7", queue: "triage", priority: 3, slaDue: 10, createdAt: 6, source: "other")
                try await Self.start(subject, "conv_t8", queue: "elsewhere", priority: 1, slaDue: 1, createdAt: 7)

                #expect(try await store.conversations(inQueue: "triage", limit: 50, sources: nil).map(\.id) == [
                    "conv_t2", "conv_t7", "conv_t3", "conv_t1", "conv_t4", "conv_t5",
                ])
                #expect(try await store.conversations(inQueue: "triage", limit: 3, sources: nil).map(\.id) == ["conv_t2", "conv_t7", "conv_t3"])
                #expect(try await store.conversations(inQueue: "triage", limit: 50, sources: ["demo"]).map(\.id) == [
                    "conv_t2", "conv_t3", "conv_t1", "conv_t4", "conv_t5",
                ])
                #expect(try await store.conversations(inQueue: "triage", limit: 50, sources: []).isEmpty)
                #expect(try await store.conversations(inQueue: "nobody", limit: 50, sources: nil).isEmpty)
                let listed = try await store.conversations(inQueue: "elsewhere", limit: 50, sources: nil)
                let expected = try #require(try await store.conversation(id: "conv_t8"))
                #expect(listed == [expected])
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
