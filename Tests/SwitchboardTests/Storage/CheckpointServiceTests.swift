import Foundation
import GRDB
import Gateway
import Logging
import Pipeline
import Rules
@testable import SQLiteStorage
import ServiceLifecycle
import SwitchboardCore
import TestSupport
import Testing

@Suite("Checkpoint service")
struct CheckpointServiceTests {
    /// Twenty messages fill far fewer pages than SQLite's own threshold (1,000), so without the service they
    /// stay in the write-ahead log and a copy of the database file alone holds none of them.
    @Test("committed messages reach the database file beside the writer, whose own threshold is raised only while the service runs",
          .timeLimit(.minutes(1)))
    func copiesCommittedPages() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteMessageStore(directory: directory.path)
        #expect(try await store.writerCheckpointThreshold() == SQLiteCheckpointService.defaultPages)

        let logger = Logger(label: "test")
        let group = ServiceGroup(services: [SQLiteCheckpointService(store: store, interval: .milliseconds(5), logger: logger)], logger: logger)
        let running = Task { try await group.run() }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while try await store.writerCheckpointThreshold() != SQLiteCheckpointService.backstopPages, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(try await store.writerCheckpointThreshold() == SQLiteCheckpointService.backstopPages)

        let rules = try RuleDirectory.load(Fixtures.shippedRules).rules
        let requests = (1...20).map { number in
            let inbound = InboundMessage(
                channel: .webhook, source: "demo", externalID: "ckpt-\(number)", sender: "c\(number)@example.com", text: "请问订单到哪了")
            let classification = rules.classify(ClassificationInput(
                channel: "webhook", source: "demo", sender: inbound.sender, subject: nil, text: inbound.text, receivedAt: inbound.receivedAt))
            return IngestRequest(
                inbound: inbound, classification: classification, slaDueAt: nil, newConversationID: "conv_ckpt_\(number)", autoReply: nil)
        }
        let results = try await store.ingest(requests)
        #expect(results.allSatisfy { (try? $0.get()) != nil })

        var inFile: Int?
        while inFile != 20, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            inFile = messagesInDatabaseFileAlone(store.path, scratch: directory.appendingPathComponent("copy-\(UUID().uuidString)"))
        }
        #expect(inFile == 20)

        await group.triggerGracefulShutdown()
        try await running.value
        #expect(try await store.writerCheckpointThreshold() == SQLiteCheckpointService.defaultPages)
    }

    /// Copies the database file without its log and counts the messages in the copy; nil while the copy
    /// has no messages table yet (the schema itself is still only in the log).
    private func messagesInDatabaseFileAlone(_ path: String, scratch: URL) -> Int? {
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let copy = scratch.appendingPathComponent("alone.sqlite").path
        guard (try? FileManager.default.copyItem(atPath: path, toPath: copy)) != nil,
              let database = try? DatabaseQueue(path: copy) else { return nil }
        return try? database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") }
    }
}
