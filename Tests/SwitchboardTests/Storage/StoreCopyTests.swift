import Conversations
import Foundation
import PostgresNIO
import PostgresStorage
import SQLiteStorage
import StoreCopy
import SwitchboardCore
import TestSupport
import Testing

@Suite("Moving an embedded deployment onto PostgreSQL")
struct StoreCopyTests {
    typealias R = ContractRequests

    @Test("every row is copied and counted: conversations, messages with their raw bytes, the outbox, events, clocks and files read back the same")
    func copiesEverything() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = ContractClockRules()
        let sqlite = try SQLiteMessageStore(directory: directory.path, clockRules: rules)
        var conversations: [String] = []
        for (index, sender) in ["wang@example.com", "li@example.com", "zhao@example.com"].enumerated() {
            var inbound = R.inbound(sender, minute: Double(index), externalID: "copy-\(index)")
            if index == 0 {
                inbound.attachments = [MessageAttachment(name: "photo.png", contentType: "image/png", size: 4, content: Data([0x89, 0x50, 0x4E, 0x47]))]
            }
            let stored = try await sqlite.ingest(R.request(inbound, autoReply: "收到"))
            conversations.append(stored.conversationID)
        }
        _ = try await sqlite.perform(StoreContractTests.Lifecycle.command(conversations[1], .claim, by: StoreContractTests.Lifecycle.ana, minute: 5))
        _ = try await sqlite.enqueueReply(
            PendingReply(script: nil, body: "明天送到", automatic: false), conversationID: conversations[1], author: "ana", idempotencyKey: "k-1", requestFingerprint: "f", at: R.at(minute: 6))

        let cluster = try await TestPostgres.shared()
        try await cluster.withDatabase { settings in
            var lines: [String] = []
            let report = try await StoreCopy(sqliteDirectory: directory.path, postgres: settings).run(logger: TestPostgres.logger) { lines.append($0) }
            #expect(report.counts.first { $0.table == "conversations" }?.rows == 3)
            #expect(report.counts.first { $0.table == "messages" }?.rows == 3)
            #expect(report.counts.first { $0.table == "attachment_blobs" }?.rows == 1)
            #expect(lines.count == report.counts.count)

            try await TestPostgres.withClient(settings) { client in
                let postgres = PostgresMessageStore(client: client, clockRules: rules, logger: TestPostgres.logger)
                var page = ConversationDetailPage(limit: ConversationDetailPage.maximumLimit, includeRaw: true)
                // Both stores show the clocks as at one moment: a clock's remaining seconds count from it.
                page.at = Date()
                for id in conversations {
                    let before = try #require(try await sqlite.conversationDetail(id: id, page: page))
                    let after = try #require(try await postgres.conversationDetail(id: id, page: page))
                    #expect(after.conversation == before.conversation)
                    #expect(after.messages == before.messages)
                    #expect(after.outbox.map(\.toMillisecond) == before.outbox.map(\.toMillisecond))
                    #expect(after.events == before.events)
                    #expect(after.clocks == before.clocks)
                }
                let file = try #require(try await sqlite.messages(conversations[0]).first?.attachments.first?.id)
                #expect(try await postgres.attachment(id: file)?.attachment.content == Data([0x89, 0x50, 0x4E, 0x47]))
                // New rows continue after the copied ones.
                let next = try await postgres.ingest(R.request(R.inbound("new@example.com", minute: 10, externalID: "after-copy")))
                #expect(try await postgres.eventKinds(next.conversationID).first == "received")
            }

            // A second copy into the same database is refused: it would mix two deployments.
            await #expect(throws: StoreCopy.Failure.self) {
                _ = try await StoreCopy(sqliteDirectory: directory.path, postgres: settings).run(logger: TestPostgres.logger) { _ in }
            }
        }
    }
}
