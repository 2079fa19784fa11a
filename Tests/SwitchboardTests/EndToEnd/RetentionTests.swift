import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("Retention and the access log")
struct RetentionTests {
    static let year: Double = 365 * 86400

    @Test("agent and ops calls are logged with who, method, path and status; a refused token as '-'")
    func accessLog() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { (client, parts) async throws in
            #expect(try await client.send(.get, "/v1/queues", token: GatewayHarness.agentToken).status == .ok)
            #expect(try await client.send(.get, "/v1/conversations/conv_missing?x=secret-query", token: GatewayHarness.agentToken).status == .notFound)
            #expect(try await client.send(.get, "/v1/rules", token: GatewayHarness.opsToken).status == .ok)
            #expect(try await client.send(.get, "/v1/queues", token: "not-a-valid-token-at-all").status == .unauthorized)
            let rows = try await testDatabase(parts.sqlitePath).read { db in
                try Row.fetchAll(db, sql: "SELECT actor, method, path, status FROM access_log ORDER BY seq")
            }
            #expect(rows.map { "\($0["actor"] as String) \($0["method"] as String) \($0["path"] as String) \($0["status"] as Int)" } == [
                "alice GET /v1/queues 200", "alice GET /v1/conversations/conv_missing 404", "ops GET /v1/rules 200", "- GET /v1/queues 401",
            ])
        }
    }

    @Test("a purge removes what is past retention: old messages, final replies, events and emptied conversations; a pending reply and newer messages stay")
    func purge() async throws {
        // No dispatcher: a failed attempt on the acknowledgements, in flight while the test ages them, would
        // put them back in the queue and keep their conversations.
        var harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused")
        harness.deliverReplies = false
        try await harness.run { (client, parts) async throws in
            for (index, sender) in ["old@example.com", "pending@example.com", "new@example.com"].enumerated() {
                let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"\#(sender)","text":"请问发票怎么开？","external_id":"r-\#(index)"}"#)
                #expect(posted.status == .accepted)
            }
            _ = try await client.send(.get, "/v1/queues", token: GatewayHarness.agentToken)
            let database = try testDatabase(parts.sqlitePath)
            // Four years ago: the first two customers' whole history, and one access record; six years ago: another.
            let shift = 4 * Self.year
            try await database.write { db in
                let old = "(SELECT id FROM conversations WHERE customer_address IN ('old@example.com', 'pending@example.com'))"
                try db.execute(sql: "UPDATE conversations SET updated_at = updated_at - ?, created_at = created_at - ? WHERE id IN \(old)", arguments: [shift, shift])
                try db.execute(sql: "UPDATE messages SET received_at = received_at - ? WHERE conversation_id IN \(old)", arguments: [shift])
                try db.execute(sql: "UPDATE events SET at = at - ? WHERE conversation_id IN \(old)", arguments: [shift])
                try db.execute(sql: "UPDATE outbox SET created_at = created_at - ?, status = 'delivered' WHERE conversation_id IN \(old)", arguments: [shift])
                // One old reply never went out: its conversation must survive the purge.
                try db.execute(sql: """
                    UPDATE outbox SET status = 'queued', next_attempt_at = 4102444800
                    WHERE conversation_id IN (SELECT id FROM conversations WHERE customer_address = 'pending@example.com')
                    """)
                try db.execute(sql: "UPDATE access_log SET at = at - ?", arguments: [shift])
                try db.execute(sql: "INSERT INTO access_log (at, actor, method, path, status) VALUES (?, 'alice', 'GET', '/v1/queues', 200)", arguments: [Date().timeIntervalSince1970 - 6 * Self.year])
            }
            let counts = try await parts.store.purge(before: Date().addingTimeInterval(-3 * Self.year), accessLogBefore: Date().addingTimeInterval(-5 * Self.year))
            #expect(counts.messages == 2)
            #expect(counts.conversations == 1)
            #expect(counts.outboxEntries == 1)
            #expect(counts.events > 0)
            #expect(counts.accessRecords == 1)
            let (customers, messages, pending, accessRecords, integrity) = try await database.read { db in
                (Set(try String.fetchAll(db, sql: "SELECT customer_address FROM conversations")),
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") ?? -1,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE recipient = 'pending@example.com'") ?? -1,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM access_log") ?? -1,
                 try String.fetchAll(db, sql: "PRAGMA integrity_check"))
            }
            #expect(customers == ["pending@example.com", "new@example.com"])
            #expect(messages == 1)
            #expect(pending == 1)
            #expect(accessRecords == 1)
            #expect(integrity == ["ok"])
            // Retention shorter than the de-duplication window is refused.
            let short = try Fixtures.configurationProblems("retention: { messages: 1d }\n", environment: [:])
            #expect(short.contains { $0.contains("at least 7d") })
        }
    }
}
