import Benchmarks
import Curl
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Hostile requests against `switchboard serve` as a child process, where the server's own memory and
/// its own log output (through the logging the binary bootstraps) can be read apart from the tests'.
@Suite("Hostile input against the serve process", .serialized)
struct ServeProcessHostileTests {
    /// The child's peak resident memory in kB (VmHWM), from /proc.
    static func peakResidentKB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    @Test("100,000 dots in a variable name: 422 in time linear in the body, peak memory up by under 20 MB; request values cannot forge log lines")
    func dottedVariablesAndForgedLogLines() async throws {
        guard FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.binary) else {
            Issue.record("\(CrashRecoveryTests.binary) is missing: build it first (`swift build --build-tests` builds it; `make test` does)")
            return
        }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try LoopbackPort.free()
        try Fixtures.write(["Config/switchboard.yaml": """
            server: { host: 127.0.0.1, port: \(port) }
            storage: { data_dir: \(directory.path)/data }
            tokens:
              - { id: alice, role: agent, token: { env: HOSTILE_AGENT_TOKEN } }
            sources:
              - { id: demo, channel: webhook, reply_url: "http://127.0.0.1:9/unused", reply_secret: { env: HOSTILE_REPLY_SECRET } }
            """], under: directory)
        let log = directory.appendingPathComponent("serve.log").path
        let child = CrashRecoveryTests.Child(
            arguments: ["serve", "--config", directory.appendingPathComponent("Config/switchboard.yaml").path, "--rules", Fixtures.shippedRules],
            log: log, environment: ["HOSTILE_AGENT_TOKEN": GatewayHarness.agentToken, "HOSTILE_REPLY_SECRET": GatewayHarness.replySecret])
        try child.start()
        defer { child.kill(SIGTERM) }
        #expect(try await eventually(within: 20) { await CrashRecoveryTests.healthy(port: port) })
        let pid = try #require(child.process?.processIdentifier)

        let client = CurlHTTPClient()
        func post(_ path: String, _ json: String) async throws -> HTTPResponse {
            try await client.perform(HTTPRequest(
                method: "POST", url: "http://127.0.0.1:\(port)\(path)",
                headers: [("content-type", "application/json"), ("authorization", "Bearer \(GatewayHarness.agentToken)")],
                body: Data(json.utf8), timeout: .seconds(60)))
        }
        let started = try await post("/v1/inbound/webhook/demo", #"{"from":"zhang@example.com","text":"请问发票怎么开？"}"#)
        #expect(started.status == 202)
        let conversation = try APIAnswers.decode(WebhookAcceptance.self, from: started.body).conversationID
        func dotted(_ dots: Int) -> String {
            #"{"conversation_id":"\#(conversation)","script":"delay-apology","variables":{"progress":"x","new_time":"18:00","\#(String(repeating: "a.", count: dots))b":"x"}}"#
        }
        // Warm up (first-request costs), then measure the peak before and after.
        _ = try await post("/v1/outbox", dotted(10))
        let before = try #require(Self.peakResidentKB(pid))
        var fastest: [Int: Duration] = [:]
        for dots in [10_000, 100_000] {
            for _ in 0..<3 {
                let clock = ContinuousClock()
                let start = clock.now
                let response = try await post("/v1/outbox", dotted(dots))
                let elapsed = clock.now - start
                fastest[dots] = min(fastest[dots] ?? elapsed, elapsed)
                #expect(response.status == 422)
                #expect(String(decoding: response.body, as: UTF8.self).contains("invalid_variable"))
            }
        }
        let after = try #require(Self.peakResidentKB(pid))
        #expect(after - before < 20 * 1024, "peak resident memory grew by \(after - before) kB")
        // Ten times the dots may cost at most about ten times the time (quadratic work would be a hundred).
        let ratio = fastest[100_000]! / fastest[10_000]!
        #expect(ratio < 30, "10,000 dots: \(fastest[10_000]!), 100,000 dots: \(fastest[100_000]!)")
        print("hostile variable names: 10,000 dots refused in \(fastest[10_000]!), 100,000 dots in \(fastest[100_000]!); peak RSS +\(after - before) kB")

        // An unknown field whose name carries a forged log line.
        let forged = #"{"conversation_id":"x","text":"hi","x\n2026 critical : FORGED":1}"#
        let refused = try await post("/v1/outbox", forged)
        #expect(refused.status == 400)
        #expect(try await eventually {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("FORGED")
        })
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("2026 critical") }, "a request wrote a log line of its own")
        #expect(lines.contains { $0.contains(#"x\n2026 critical : FORGED"#) })
    }
}
