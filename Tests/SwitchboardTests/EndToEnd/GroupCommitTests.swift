import Curl
import Foundation
import GRDB
import Gateway
import TestSupport
import Testing

/// Concurrent inbound requests share transactions, and each is answered only after its own committed.
@Suite("Group commit, end to end")
struct GroupCommitTests {
    /// Posts the bodies over `lanes` concurrent connections (curl blocks a thread per transfer, so the
    /// lanes stay well under the dispatch pool's width); returns each status, in order.
    static func postConcurrently(port: Int, _ bodies: [String], lanes: Int = 24) async throws -> [Int] {
        let client = CurlHTTPClient()
        return try await withThrowingTaskGroup(of: [(Int, Int)].self) { group in
            for lane in 0..<min(lanes, bodies.count) {
                group.addTask {
                    var answered: [(Int, Int)] = []
                    for index in stride(from: lane, to: bodies.count, by: lanes) {
                        let response = try await client.perform(HTTPRequest(
                            method: "POST", url: "http://127.0.0.1:\(port)/v1/inbound/webhook/demo",
                            headers: [("content-type", "application/json")], body: Data(bodies[index].utf8), timeout: .seconds(30)))
                        answered.append((index, response.status))
                    }
                    return answered
                }
            }
            var statuses = Array(repeating: 0, count: bodies.count)
            for try await answered in group {
                for (index, status) in answered { statuses[index] = status }
            }
            return statuses
        }
    }

    static func body(from sender: String, id: String, text: String = "订单什么时候发货？") -> String {
        #"{"from":"\#(sender)","text":"\#(text)","external_id":"\#(id)"}"#
    }

    @Test("120 concurrent messages and 20 repeats: all acknowledged, each stored once, one conversation per sender, fewer transactions than messages")
    func concurrentMessagesShareTransactions() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { (client, parts) async throws in
            let port = try #require(client.port)
            var bodies = (0..<120).map { Self.body(from: "customer\($0 % 40)@example.com", id: "gc-\($0)") }
            bodies += (0..<20).map { Self.body(from: "customer\($0 % 40)@example.com", id: "gc-\($0 * 3)") }
            let statuses = try await Self.postConcurrently(port: port, bodies)
            #expect(statuses.allSatisfy { $0 == 202 }, "\(statuses)")
            let (messages, distinct, conversations, perSender) = try await testDatabase(parts.sqlitePath).read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE direction = 'inbound'") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT external_id) FROM messages") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conversations") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM conversations GROUP BY customer_address)") ?? 0)
            }
            #expect(messages == 120)
            #expect(distinct == 120)
            #expect(conversations == 40)
            #expect(perSender == 1)
            let metrics = String(buffer: try await client.send(.get, "/metrics").body)
            let batches = Self.metric(metrics, "switchboard_ingest_batch_size_count")
            let batched = Self.metric(metrics, "switchboard_ingest_batch_size_sum")
            #expect(batched == 140)
            #expect(batches.map { $0 < 140 } == true, "every message had a transaction of its own: \(batches ?? -1)")
        }
    }

    @Test("a batch whose commit fails answers every waiter 503 and stores none of it; each 202 is stored, each retry succeeds")
    func failedCommitFailsTheBatch() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { (client, parts) async throws in
            let port = try #require(client.port)
            // A deferred foreign key is checked at COMMIT: the poisoned message makes the whole transaction fail
            // there, after every statement of the batch succeeded, as a full disk would.
            try await testDatabase(parts.sqlitePath).write { db in
                try db.execute(sql: """
                    CREATE TABLE poison (ref TEXT REFERENCES conversations(id) DEFERRABLE INITIALLY DEFERRED);
                    CREATE TRIGGER poison_commit AFTER INSERT ON messages WHEN NEW.sender = 'poison@example.com'
                    BEGIN INSERT INTO poison (ref) VALUES ('no-such-conversation'); END;
                    """)
            }
            var bodies = [Self.body(from: "poison@example.com", id: "poison-1")]
            bodies += (0..<40).map { Self.body(from: "c\($0)@example.com", id: "ok-\($0)") }
            let statuses = try await Self.postConcurrently(port: port, bodies)
            #expect(statuses[0] == 503)
            #expect(statuses.allSatisfy { $0 == 202 || $0 == 503 }, "\(statuses)")
            let stored = try await testDatabase(parts.sqlitePath).read { db in
                Set(try String.fetchAll(db, sql: "SELECT external_id FROM messages"))
            }
            for (index, status) in statuses.enumerated() {
                let id = index == 0 ? "poison-1" : "ok-\(index - 1)"
                #expect(stored.contains(id) == (status == 202), "\(id) answered \(status)")
            }
            #expect(try await testDatabase(parts.sqlitePath).read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
            // Senders retry what was not acknowledged; without the poison it all goes in.
            let retries = statuses.indices.dropFirst().filter { statuses[$0] != 202 }.map { bodies[$0] }
            let retried = try await Self.postConcurrently(port: port, retries)
            #expect(retried.allSatisfy { $0 == 202 })
            #expect(try await testDatabase(parts.sqlitePath).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") } == 40)
        }
    }

    @Test("group commit settings: 0 disables the wait; a window that would stall every message is refused")
    func settings() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.write(["Config/switchboard.yaml": "storage: { group_commit_window: \"0\", group_commit_max_batch: 64 }\n"], under: directory)
        let configuration = try GatewayConfiguration.load(path: directory.appendingPathComponent("Config/switchboard.yaml").path, environment: [:])
        #expect(configuration.groupCommit.window == .zero)
        #expect(configuration.groupCommit.maxBatch == 64)
        let slow = try Fixtures.configurationProblems("storage: { group_commit_window: 2s, group_commit_max_batch: 0 }\n", environment: [:])
        #expect(slow.contains { $0.contains("group_commit_window must be at most 100ms") }, "\(slow)")
        #expect(slow.contains { $0.contains("group_commit_max_batch must be 1 to 10000") })
    }

    static func metric(_ text: String, _ name: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") || line.hasPrefix(name + "{") {
            return line.split(separator: " ").last.flatMap { Double($0) }.map { Int($0) }
        }
        return nil
    }
}
