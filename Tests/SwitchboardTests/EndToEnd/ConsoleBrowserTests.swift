import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The agent console in a real browser: Debian's Chromium driven by Playwright for Python
/// (`Tests/Browser/console_story.py`, installed by `scripts/install-deps.sh --test`) against the
/// application `serve` builds, with replies going to a real receiver. The script walks the agent's story,
/// a supervisor's approval in a second browser context, hostile customer content, a cross-site form
/// post and an expired session, and saves screenshots of every page under `.build/console-screenshots/`;
/// this test then checks what reached the receiver.
///
/// A browser takes most of a small machine's cores, which would starve the timing tests running beside
/// it; so it runs on its own after the rest (`make test` sets `SWITCHBOARD_BROWSER_TESTS=1` for that run).
@Suite("Console in a browser", .serialized, .enabled(if: ProcessInfo.processInfo.environment["SWITCHBOARD_BROWSER_TESTS"] == "1"))
struct ConsoleBrowserTests {
    static let sueToken = "sue-supervisor-token-for-browser"
    /// What the script attaches to a reply (`ATTACHED_TEXT` in console_story.py).
    static let attachedText = Data("Receipt 2026-12-05: order A123, 2 items, CNY 158.00\n".utf8)

    @Test("the story, approval, hostile content, CSRF and an expired session, in Chromium")
    func story() async throws {
        let python = IndependentVerifier.python
        try #require(
            Self.canRun(python), "Playwright for Python and /usr/bin/chromium are needed: run scripts/install-deps.sh --test")
        let replies = ReplyReceiver()
        try await replies.start()
        try await stopping(replies) {
            let harness = try GatewayHarness(
                replyURL: replies.url, maxBodyBytes: 65_536, environment: ["TEST_SUE": Self.sueToken],
                extraTokens: "  - { id: sue, name: Sue, role: supervisor, token: { env: TEST_SUE } }")
            try await harness.run { client, _ in
                let port = try #require(client.port)
                let screenshots = Fixtures.repositoryRoot.appendingPathComponent(".build/console-screenshots")
                let run = try await Self.runScript(python, arguments: [
                    "--base", "http://127.0.0.1:\(port)", "--agent-token", GatewayHarness.agentToken, "--supervisor-token", Self.sueToken,
                    "--ops-token", GatewayHarness.opsToken,
                    "--screenshots", screenshots.path, "--inbound-path", "/v1/inbound/webhook/demo",
                ])
                #expect(run.status == 0, "the browser story failed:\n\(run.output.suffix(4000))")
                let values = Self.values(run.output)
                for step in [
                    "signed in as the agent", "raised the open count", "queue within 2 s", "focused one shows its tooltip",
                    "the preview says missing_template_variable and Send is disabled", "from the keyboard alone", "reply was sent and is queued",
                    "resolved the conversation", "saw exactly the held text and approved it", "render as inert text",
                    "a form on another origin could not close the conversation", "is held for approval", "without X-CSRF-Token is refused", "back on the same conversation with the draft restored",
                    "the countdown turned red at its warning", "the ops page shows the rules version and the nodes", "the clock log shows the first-response clock starting",
                    "was uploaded, listed and sent with the reply", "shown again, caught up with what it missed",
                    "all steps passed",
                ] {
                    #expect(run.output.contains(step), "the browser script did not report: \(step)")
                }

                // The story's reply reached the receiver, signed.
                let conversation = try #require(values["conversation"], "the script printed no conversation=")
                let delivered = try await eventually(within: 10) {
                    replies.received.contains { (try? APIAnswers.decoder.decode(ReplyPayload.self, from: $0.body))?.conversationID == conversation }
                }
                #expect(delivered)
                for request in replies.received where (try? APIAnswers.decoder.decode(ReplyPayload.self, from: request.body))?.conversationID == conversation {
                    #expect(try IndependentVerifier.verify(secret: GatewayHarness.replySecret, body: request.body, headers: request.headers) == "verified")
                }

                // The held reply went out only after the supervisor approved it.
                let approved = try #require(values["approved"], "the script printed no approved=")
                #expect(try await eventually(within: 10) {
                    let entry = try await client.send(.get, "/v1/outbox/\(approved)", token: GatewayHarness.opsToken)
                    return try entry.decode(OutboxEntryAnswer.self).status == "delivered"
                })

                // The file picked in the composer reached the receiver with the reply, byte for byte.
                let attached = try #require(values["attached"], "the script printed no attached=")
                #expect(try await eventually(within: 10) {
                    replies.received.contains { request in
                        guard let payload = try? APIAnswers.decoder.decode(ReplyPayload.self, from: request.body),
                              payload.conversationID == attached, let file = payload.attachments?.first else { return false }
                        return file.filename == "receipt.txt" && Data(base64Encoded: file.dataBase64) == Self.attachedText
                    }
                })

                for page in ["signin", "queues", "queue", "conversation", "approvals", "report", "ops"] {
                    for size in ["1280x800", "390x844"] {
                        let file = screenshots.appendingPathComponent("\(page)-\(size).png").path
                        #expect(FileManager.default.fileExists(atPath: file), "no screenshot \(file)")
                    }
                }
            }
        }
    }

    /// Whether Playwright imports and the system Chromium exists.
    static func canRun(_ python: String) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), python != "/usr/bin/env" else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import playwright.sync_api"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Runs the browser script (see ``ChildProcess``); one that runs past `timeout` is killed.
    static func runScript(_ python: String, arguments: [String], timeout: Duration = .seconds(300)) async throws -> (status: Int32, output: String) {
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/Browser/console_story.py").path
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("console-story-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        return try await ChildProcess.run([python, "-u", script] + arguments, output: log, timeout: timeout)
    }

    /// The `name=value` lines the script prints.
    static func values(_ output: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in output.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].allSatisfy({ $0.isLetter }) { values[String(parts[0])] = String(parts[1]) }
        }
        return values
    }
}
