import Foundation
import GRDB
import Gateway
import Logging
import Metrics
import Pipeline
import Rules
import SQLiteStorage
import SwitchboardCore
import TestSupport
import Testing

@Suite("Group committer")
struct IngestCommitterTests {
    /// Cancellation (the end of a shutdown's grace period) reaches the committer while messages wait for
    /// their transaction: they must fail, so their senders are told to retry, not wait forever.
    @Test("a committer cancelled with messages queued fails them and stores nothing", .timeLimit(.minutes(1)))
    func cancelledWithQueue() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteMessageStore(directory: directory.path)
        // A long window keeps the first message queued until the cancellation arrives.
        let committer = IngestCommitter(
            store: store, settings: .init(window: .seconds(30)), logger: Logger(label: "test"), metricsFactory: NOOPMetricsHandler.instance)
        let intake = Intake(
            store: store, rules: RuleBook(try RuleDirectory.load(Fixtures.shippedRules)), timeZone: TimeZone(identifier: "UTC")!,
            logger: Logger(label: "test"), metricsFactory: NOOPMetricsHandler.instance, committer: committer, outboxChanged: {})
        let service = Task { try await committer.run() }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while !committer.isRunning, clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }

        let accepted = Task {
            try await intake.accept(InboundMessage(channel: .webhook, source: "demo", externalID: "q1", sender: "q@example.com", text: "你好"))
        }
        // Cancel only once the message waits in the queue (the window is not over for 30 s).
        while committer.queuedCount == 0, clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(committer.queuedCount == 1)
        service.cancel()
        await #expect(throws: (any Error).self) { try await accepted.value }
        _ = try? await service.value
        let stored = try await testDatabase(store.path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") }
        #expect(stored == 0)
    }
}
