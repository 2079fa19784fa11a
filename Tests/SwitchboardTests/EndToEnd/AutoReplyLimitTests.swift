import Foundation
import GRDB
import Gateway
import Logging
import Metrics
import Pipeline
import SQLiteStorage
import SwitchboardCore
import TestSupport
import Testing

@Suite("Automatic reply rate limit")
struct AutoReplyLimitTests {
    @Test("one address gets at most the configured number of automatic replies per window; the rest are suppressed and recorded")
    func rateLimit() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteMessageStore(directory: directory.path)
        let intake = Intake(
            store: store, rules: RuleBook(try RuleDirectory.load(Fixtures.shippedRules)), timeZone: TimeZone(identifier: "Asia/Shanghai")!,
            logger: Logger(label: "test"), metricsFactory: NOOPMetricsHandler.instance,
            autoReplyLimit: .init(maximum: 2, window: .seconds(3600)), outboxChanged: {})
        var results: [IngestResult] = []
        for index in 0..<3 {
            let result = try await intake.accept(InboundMessage(
                channel: .email, source: "mail", externalID: "m\(index)@example.com", sender: "robot@example.com",
                subject: "问题 \(index)", text: "请问发票怎么开？"))
            results.append(result)
            // Each message starts a conversation of its own: the earlier one is closed.
            try await testDatabase(store.path).write { db in
                try db.execute(sql: "UPDATE conversations SET state = 'closed'")
            }
        }
        #expect(results.map(\.newConversation) == [true, true, true])
        #expect(results[0].autoReplyID != nil)
        #expect(results[1].autoReplyID != nil)
        #expect(results[2].autoReplyID == nil)
        #expect(results[2].autoReplySuppressed?.hasPrefix("rate limit: 2 automatic replies") == true)
        let events = try await testDatabase(store.path).read { db in
            try String.fetchAll(db, sql: "SELECT detail FROM events WHERE kind = 'auto_reply_suppressed'")
        }
        #expect(events.count == 1)
        // Another address is not affected.
        let other = try await intake.accept(InboundMessage(
            channel: .email, source: "mail", externalID: "other@example.com", sender: "person@example.com", text: "请问发票怎么开？"))
        #expect(other.autoReplyID != nil)
    }
}
