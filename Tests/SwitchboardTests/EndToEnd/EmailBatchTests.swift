import Channels
import Curl
import Foundation
import GRDB
import Gateway
import Logging
import Metrics
import Pipeline
import SQLiteStorage
import SwitchboardCore
import Synchronization
import TestSupport
import Testing

/// A mailbox fetch is accepted as one batch (issue 19, item 7). Against real Dovecot: a message that is
/// not committed stops its fetch there, and nothing after it is marked, stored or passed by the cursor.
@Suite("Mailbox batches against real Dovecot", .serialized)
struct EmailBatchTests {
    struct Injected: Error {}

    /// The real intake, except that the messages named in `failing` fail as a commit would: the batch
    /// answers with what was committed before the first of them, then failures.
    final class FailingIntake: MessageIntake {
        let inner: Intake
        let failing: Mutex<Set<String>>

        init(_ inner: Intake, failing: Set<String>) {
            self.inner = inner
            self.failing = Mutex(failing)
        }

        func accept(_ message: InboundMessage) async throws -> IngestResult {
            if failing.withLock({ $0.contains(message.externalID ?? "") }) { throw Injected() }
            return try await inner.accept(message)
        }

        func accept(batch messages: [InboundMessage]) async -> [Result<IngestResult, any Error>] {
            let failing = failing.withLock { $0 }
            guard let cut = messages.firstIndex(where: { failing.contains($0.externalID ?? "") }) else {
                return await inner.accept(batch: messages)
            }
            var results = await inner.accept(batch: Array(messages[..<cut]))
            results.append(.failure(Injected()))
            while results.count < messages.count { results.append(.failure(SwitchboardError.notAttempted)) }
            return results
        }
    }

    @Test("a message that fails stops its fetch: those before it are stored and marked seen, the cursor stops before it, and the next poll imports the rest once")
    func failureStopsTheFetch() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        let session = CurlIMAPSession(endpoint: servers.imapEndpoint(user: "support"), mailbox: "INBOX", logger: Logger(label: "test"))
        defer { session.close() }
        for index in 0..<7 {
            _ = try await session.append(try EmailTests.customerMail(
                from: "batch\(index)@example.com", subject: "订单 \(index)", messageID: "batch-\(index)@example.com", text: "请问订单 \(index) 到哪了"))
        }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteMessageStore(directory: directory.path)
        let intake = FailingIntake(
            Intake(
                store: store, rules: RuleBook(try RuleDirectory.load(Fixtures.shippedRules)), timeZone: TimeZone(identifier: "UTC")!,
                logger: Logger(label: "test"), metricsFactory: NOOPMetricsHandler.instance, outboxChanged: {}),
            failing: ["batch-3@example.com"])
        let source = EmailSource(
            id: "mail", address: "support@localhost", threadSecret: EmailTests.threadSecret,
            mailbox: .init(endpoint: servers.imapEndpoint(user: "support"), batchSize: 5))
        let mailbox = IMAPIntake(
            source: source, mailbox: source.mailbox!, intake: intake, store: store, logger: Logger(label: "test"),
            metricsFactory: NOOPMetricsHandler.instance)

        func stored() async throws -> [String] {
            try await testDatabase(store.path).read { db in try String.fetchAll(db, sql: "SELECT external_id FROM messages ORDER BY rowid") }
        }
        func seen() async throws -> [UInt32] {
            let status = try await session.status()
            return try await session.fetch(uids: try await session.uids(from: 1), expectedUIDValidity: status.uidValidity)
                .filter { $0.flags.contains("\\Seen") }.map(\.uid).sorted()
        }

        await #expect(throws: Injected.self) { try await mailbox.poll(session) }
        #expect(try await stored() == (0..<3).map { "batch-\($0)@example.com" })
        #expect(try await store.intakeCursor(source: "mail", stream: "INBOX")?.position == 3)
        #expect(try await seen() == [1, 2, 3])

        intake.failing.withLock { $0 = [] }
        #expect(try await mailbox.poll(session) == 4)
        #expect(try await stored() == (0..<7).map { "batch-\($0)@example.com" })
        #expect(try await store.intakeCursor(source: "mail", stream: "INBOX")?.position == 7)
        #expect(try await seen() == Array(1...7))
        #expect(try await mailbox.poll(session) == 0)
    }
}
