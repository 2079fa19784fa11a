import Benchmarks
import Curl
import Foundation
import GRDB
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `switchboard serve` as a child process, killed with SIGKILL at random moments while clients send and
/// retry: nothing acknowledged is lost or stored twice, the database stays sound, every reply is delivered.
@Suite("Crash recovery: SIGKILL under load", .serialized)
struct CrashRecoveryTests {
    static let binary = Fixtures.repositoryRoot.appendingPathComponent(".build/debug/switchboard").path

    /// The child gateway: started, killed and started again on the same port and data.
    final class Child: @unchecked Sendable {
        let arguments: [String]
        let log: String
        /// Variables the child gets beside this process's own. Never `setenv` in a test: another test's
        /// `Process.run` may be copying the environment at that moment, and reads freed memory.
        let environment: [String: String]
        private(set) var process: Process?

        init(arguments: [String], log: String, environment: [String: String] = [:]) {
            self.arguments = arguments
            self.log = log
            self.environment = environment
        }

        func start() throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CrashRecoveryTests.binary)
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, own in own }
            if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            output.seekToEndOfFile()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            self.process = process
        }

        func kill(_ signal: Int32) {
            guard let process, process.isRunning else { return }
            Glibc.kill(process.processIdentifier, signal)
            process.waitUntilExit()
        }
    }

    /// The photo message `id` brings: a PNG signature and bytes only that message has.
    static func photo(for id: String) -> Data {
        Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(id.utf8) + (0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ id.count) })
    }

    static func healthy(port: Int) async -> Bool {
        let response = try? await CurlHTTPClient().perform(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/healthz", timeout: .seconds(1), connectTimeout: .milliseconds(500)))
        return response?.status == 200
    }

    @Test("6 SIGKILLs under 4 retrying clients: every acknowledged message stored exactly once with its photo, integrity ok, every reply delivered with a stable webhook-id")
    func killUnderLoad() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            Issue.record("\(Self.binary) is missing: build it first (`swift build --build-tests` builds it; `make test` does)")
            return
        }
        let receiver = ReplyReceiver()
        try await receiver.start()
        try await stopping(receiver) {
            let directory = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let port = try LoopbackPort.free()
            try Fixtures.write(["Config/switchboard.yaml": """
                server: { host: 127.0.0.1, port: \(port) }
                storage: { data_dir: \(directory.path)/data }
                tokens:
                  - { id: ops, role: ops, token: { env: CRASH_OPS_TOKEN } }
                sources:
                  - { id: demo, channel: webhook, reply_url: "\(receiver.url)", reply_secret: { env: CRASH_REPLY_SECRET }, max_body_bytes: 65536 }
                outbox: { max_attempts: 50, initial_backoff: 50ms, max_backoff: 200ms, poll_interval: 50ms, timeout: 5s }
                """], under: directory)
            let child = Child(
                arguments: ["serve", "--config", directory.appendingPathComponent("Config/switchboard.yaml").path, "--rules", Fixtures.shippedRules],
                log: directory.appendingPathComponent("serve.log").path,
                environment: ["CRASH_OPS_TOKEN": GatewayHarness.opsToken, "CRASH_REPLY_SECRET": GatewayHarness.replySecret])
            func startAndWait() async throws {
                try child.start()
                #expect(try await eventually(within: 20) { await Self.healthy(port: port) }, "the gateway did not come back: \(String((try? String(contentsOfFile: child.log, encoding: .utf8))?.suffix(1500) ?? ""))")
            }
            try await startAndWait()

            // Clients: each message is sent until it gets a 2xx, as a channel that holds it until acknowledged would.
            final class Shared: Sendable {
                let acknowledged = Mutex<Set<String>>([])
                let sending = Atomic<Bool>(true)
            }
            let shared = Shared()
            let client = CurlHTTPClient()
            let clients = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for lane in 0..<4 {
                        group.addTask {
                            var number = 0
                            while shared.sending.load(ordering: .relaxed) {
                                number += 1
                                let id = "crash-\(lane)-\(number)"
                                // Every other message brings a photo, which must be kept with it or not at all.
                                let file = number % 2 == 0
                                    ? #","attachments":[{"filename":"\#(id).png","content_type":"image/png","data_base64":"\#(Self.photo(for: id).base64EncodedString())"}]"#
                                    : ""
                                let body = #"{"from":"lane\#(lane)-\#(number % 40)@example.com","text":"订单\#(number)还没到，请尽快处理","external_id":"\#(id)"\#(file)}"#
                                while true {
                                    let response = try? await client.perform(HTTPRequest(
                                        method: "POST", url: "http://127.0.0.1:\(port)/v1/inbound/webhook/demo",
                                        headers: [("content-type", "application/json")], body: Data(body.utf8), timeout: .seconds(5), connectTimeout: .seconds(1)))
                                    if let response, (200..<300).contains(response.status) {
                                        shared.acknowledged.withLock { _ = $0.insert(id) }
                                        break
                                    }
                                    try await Task.sleep(for: .milliseconds(20))
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }

            var generator = SystemRandomNumberGenerator()
            for _ in 0..<6 {
                try await Task.sleep(for: .milliseconds(Int.random(in: 300...900, using: &generator)))
                child.kill(SIGKILL)
                try await startAndWait()
            }
            try await Task.sleep(for: .milliseconds(500))
            shared.sending.store(false, ordering: .relaxed)
            try await clients.value

            let database = try testDatabase(directory.appendingPathComponent("data/switchboard.sqlite").path)
            // The outbox drains: every reply, including those a killed process had claimed, is delivered.
            #expect(try await eventually(within: 30) {
                try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE status != 'delivered'") } == 0
            })
            child.kill(SIGTERM)
            #expect(child.process?.terminationStatus == 0, "SIGTERM should end the gateway cleanly")

            let ids = shared.acknowledged.withLock { $0 }
            #expect(ids.count > 20, "too few messages got through to prove anything: \(ids.count)")
            let (counts, integrity, outbox) = try database.read { db in
                (try Row.fetchAll(db, sql: "SELECT external_id, COUNT(*) AS n FROM messages WHERE direction = 'inbound' GROUP BY external_id"),
                 try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                 try String.fetchAll(db, sql: "SELECT id FROM outbox"))
            }
            var stored: [String: Int] = [:]
            for row in counts { stored[row["external_id"]] = row["n"] }
            // Every acknowledged message that brought a photo has it, byte for byte.
            let kept = try database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT m.external_id, b.content FROM messages m JOIN attachments a ON a.message_id = m.id
                    JOIN attachment_blobs b ON b.sha256 = a.sha256
                    """)
            }
            var photos: [String: Data] = [:]
            for row in kept { photos[row["external_id"]] = row["content"] }
            let withPhotos = ids.filter { (Int($0.split(separator: "-").last ?? "") ?? 1) % 2 == 0 }
            let missing = withPhotos.filter { photos[$0] != Self.photo(for: $0) }
            #expect(missing.isEmpty, "acknowledged without its photo: \(missing.sorted().prefix(10))")
            #expect(kept.count == photos.count, "a photo stored twice")
            let lost = ids.filter { stored[$0] == nil }
            #expect(lost.isEmpty, "acknowledged but not stored: \(lost.sorted().prefix(10))")
            #expect(stored.values.allSatisfy { $0 == 1 }, "stored twice: \(stored.filter { $0.value > 1 }.keys.sorted().prefix(10))")
            #expect(integrity == ["ok"])

            let received = receiver.received
            var deliveries: [String: Int] = [:]
            for request in received {
                let webhookID = request.headers["webhook-id"] ?? ""
                let payload = try APIAnswers.decode(ReplyPayload.self, from: request.body)
                #expect(payload.id == webhookID, "a delivery's webhook-id must name its outbox entry")
                deliveries[webhookID, default: 0] += 1
            }
            let undelivered = outbox.filter { deliveries[$0] == nil }
            #expect(undelivered.isEmpty, "outbox entries never received: \(undelivered.prefix(5))")
            let duplicates = deliveries.values.filter { $0 > 1 }.count
            print("crash test: \(ids.count) messages acknowledged across 6 SIGKILLs, \(outbox.count) replies, \(received.count) deliveries (\(duplicates) delivered more than once, each with its stable webhook-id)")
        }
    }
}
