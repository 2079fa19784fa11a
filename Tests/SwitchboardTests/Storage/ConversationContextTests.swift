import Foundation
import GRDB
import Gateway
import Logging
import Metrics
import Pipeline
@testable import SQLiteStorage
import SwitchboardCore
import TestSupport
import Testing

@Suite("Conversation context")
struct ConversationContextTests {
    /// A store in `directory`, and intake on it with the shipped rules.
    static func storeAndIntake(in directory: URL) throws -> (SQLiteMessageStore, Intake) {
        let store = try SQLiteMessageStore(directory: directory.path)
        let intake = Intake(
            store: store, rules: RuleBook(try RuleDirectory.load(Fixtures.shippedRules)), timeZone: TimeZone(identifier: "Asia/Shanghai")!,
            logger: Logger(label: "test"), metricsFactory: NOOPMetricsHandler.instance, outboxChanged: {})
        return (store, intake)
    }

    /// Concurrent intake reads share a reader: the first caller answers those queued behind it. Each must
    /// still get the answer to its own question, and none may be left waiting.
    @Test("concurrent intake reads, sharing readers, each get their own message's facts", .timeLimit(.minutes(1)))
    func concurrentIntakeFacts() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (store, intake) = try Self.storeAndIntake(in: directory)
        let start = Date()
        func message(_ sender: String, _ index: Int) -> InboundMessage {
            InboundMessage(
                channel: .webhook, source: "demo", externalID: "\(sender)-\(index)", sender: sender, text: "请问订单 \(index) 到哪了",
                receivedAt: start.addingTimeInterval(Double(index)))
        }
        // Known customers wrote one to four times; as many others never wrote.
        var expected: [String: Int] = [:]
        for customer in 0..<12 {
            let sender = "known\(customer)@example.com"
            expected[sender] = customer % 4 + 1
            for index in 0..<(customer % 4 + 1) { _ = try await intake.accept(message(sender, index)) }
        }
        let senders = Array(expected.keys) + (0..<12).map { "new\($0)@example.com" }

        let answers = try await withThrowingTaskGroup(of: (String, IntakeFacts).self) { group in
            for round in 0..<20 {
                for sender in senders {
                    group.addTask {
                        (sender, try await store.intakeFacts(for: message(sender, 100 + round), automaticRepliesSince: start.addingTimeInterval(-60)))
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 20 * senders.count)
        for (sender, facts) in answers {
            if let prior = expected[sender] {
                #expect(facts.context?.priorInboundMessages == prior, "\(sender)")
            } else {
                #expect(facts == .starts(automaticRepliesSent: 0), "\(sender)")
            }
        }
    }

    /// Migration v6 moved the counts onto the conversation's row. A database written before it must give
    /// every conversation the context its messages gave: counted, last contact, and the wait since the
    /// last agent reply (automatic replies and other conversations' messages left out).
    @Test("the v6 migration fills in the counts of conversations stored before it")
    func migrationBackfill() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("switchboard.sqlite").path
        let start = 1_795_000_000.0
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteMessageStore.migrator.migrate(queue, upTo: "v5-open-conversation-index")
            try await queue.write { db in
                for (id, customer) in [("conv_waiting", "wait@example.com"), ("conv_answered", "done@example.com")] {
                    try db.execute(
                        sql: """
                            INSERT INTO conversations (id, channel, source, customer_address, customer_tier, language, queue,
                                priority, urgency, sentiment, state, route_id, sla_policy, created_at, updated_at)
                            VALUES (?, 'webhook', 'demo', ?, 'ordinary', 'zh', 'general', 5, 'normal', 'neutral', 'open', 'r', 's', ?, ?)
                            """, arguments: [id, customer, start, start])
                }
                // Waiting: two messages, an automatic acknowledgement between them. Answered: an agent
                // replied after its first message, and a second came after the reply.
                let messages: [(String, String, String, Double)] = [
                    ("m1", "conv_waiting", "inbound", start), ("m2", "conv_waiting", "inbound", start + 600),
                    ("m3", "conv_answered", "inbound", start), ("m4", "conv_answered", "inbound", start + 900),
                    ("m5", "conv_answered", "outbound", start + 950),
                ]
                for (id, conversation, direction, at) in messages {
                    try db.execute(
                        sql: """
                            INSERT INTO messages (id, conversation_id, direction, channel, source, sender, recipients, text,
                                received_at, raw_payload)
                            VALUES (?, ?, ?, 'webhook', 'demo', 'x', '[]', 'hi', ?, x'')
                            """, arguments: [id, conversation, direction, at])
                }
                for (id, conversation, automatic, at) in [("o1", "conv_waiting", true, start + 1), ("o2", "conv_answered", false, start + 300)] {
                    try db.execute(
                        sql: """
                            INSERT INTO outbox (id, conversation_id, channel, source, recipient, body, status, automatic, author,
                                created_at, updated_at)
                            VALUES (?, ?, 'webhook', 'demo', 'x', 'ok', 'delivered', ?, 'a', ?, ?)
                            """, arguments: [id, conversation, automatic, at, at])
                }
            }
        }
        let store = try SQLiteMessageStore(path: path)
        func message(from sender: String) -> InboundMessage {
            InboundMessage(
                channel: .webhook, source: "demo", externalID: nil, sender: sender, text: "还在吗",
                receivedAt: Date(timeIntervalSince1970: start + 3_600))
        }
        let waiting = try #require(try await store.conversationContext(for: message(from: "wait@example.com")))
        #expect(waiting == ConversationContext(
            priorInboundMessages: 2, lastInboundAt: Date(timeIntervalSince1970: start + 600),
            waitingSince: Date(timeIntervalSince1970: start), reopening: false))
        let answered = try #require(try await store.conversationContext(for: message(from: "done@example.com")))
        #expect(answered == ConversationContext(
            priorInboundMessages: 2, lastInboundAt: Date(timeIntervalSince1970: start + 900),
            waitingSince: Date(timeIntervalSince1970: start + 900), reopening: false))
    }
}
