import Benchmarks
import Curl
import Foundation
import GRDB
import Gateway
import HTTPServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Pipeline
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Tokens reload without a restart (SIGHUP, `POST /v1/tokens/reload`), atomically; they may expire, and
/// two may share an id during a rotation.
@Suite("Token lifecycle, end to end")
struct TokenLifecycleTests {
    static let bobToken = "bob-token-for-tests-000001"

    /// Writes `secret` to a file in the harness directory and returns its path, for `{file: …}` tokens.
    static func secretFile(_ harness: GatewayHarness, _ name: String, _ secret: String) throws -> String {
        let url = harness.directory.appendingPathComponent(name)
        try Data((secret + "\n").utf8).write(to: url)
        return url.path
    }

    /// Rewrites the harness's configuration file as it was at the start, with `items` added under `tokens:`
    /// and alice's line removed when asked.
    static func rewriteTokens(_ harness: GatewayHarness, adding items: [String], removingAlice: Bool = false) throws {
        var text = harness.configurationText
        if removingAlice {
            text = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("id: alice") }.joined(separator: "\n")
        }
        let added = items.map { "  " + $0 + "\n" }.joined()
        text = text.replacingOccurrences(of: "\nsources:\n", with: "\n" + added + "sources:\n")
        try Data(text.utf8).write(to: URL(fileURLWithPath: harness.configurationPath))
    }

    @Test("POST /v1/tokens/reload (ops only) puts new tokens in force and revokes removed ones; a broken file is refused with 422 and its problems, the old tokens staying")
    func reloadThroughTheAPI() async throws {
        let harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused")
        let bobFile = try Self.secretFile(harness, "bob.token", Self.bobToken)
        try await harness.run { (client, _) async throws in
            #expect(try await client.send(.get, "/v1/queues", token: Self.bobToken).status == .unauthorized)
            #expect(try await client.send(.post, "/v1/tokens/reload", token: GatewayHarness.agentToken).status == .forbidden)

            try Self.rewriteTokens(harness, adding: [#"- { id: bob, name: Bob, role: agent, token: { file: "\#(bobFile)" } }"#])
            let reloaded = try await client.send(.post, "/v1/tokens/reload", token: GatewayHarness.opsToken)
            #expect(reloaded.status == .ok)
            let ids = try reloaded.decode(TokenList.self).tokens.map(\.id)
            #expect(ids == ["alice", "ops", "bob"])
            #expect(!String(buffer: reloaded.body).contains(Self.bobToken))
            #expect(try await client.send(.get, "/v1/queues", token: Self.bobToken).status == .ok)

            // A broken file: nothing changes, and the answer names the problem with its position.
            try Self.rewriteTokens(harness, adding: [#"- { id: carol, role: boss, token: { file: "\#(bobFile).missing" } }"#])
            let refused = try await client.send(.post, "/v1/tokens/reload", token: GatewayHarness.opsToken)
            #expect(refused.status == .unprocessableContent)
            let refusal = try refused.decode(TokenReloadRefusal.self)
            #expect(refusal.error.code == "invalid_configuration")
            let problems = refusal.problems
            #expect(problems.contains { $0.contains("switchboard.yaml:") && $0.contains("role must be agent, supervisor or ops") }, "\(problems)")
            #expect(try await client.send(.get, "/v1/queues", token: Self.bobToken).status == .ok)
            #expect(try await client.send(.get, "/v1/queues", token: GatewayHarness.agentToken).status == .ok)

            // Removing a token revokes it at the next reload.
            try Self.rewriteTokens(harness, adding: [#"- { id: bob, name: Bob, role: agent, token: { file: "\#(bobFile)" } }"#], removingAlice: true)
            #expect(try await client.send(.post, "/v1/tokens/reload", token: GatewayHarness.opsToken).status == .ok)
            #expect(try await client.send(.get, "/v1/queues", token: GatewayHarness.agentToken).status == .unauthorized)
            #expect(try await client.send(.get, "/v1/queues", token: Self.bobToken).status == .ok)
        }
    }

    @Test("SIGHUP reloads the tokens beside the rules (switchboard serve as a child process)")
    func reloadOnSIGHUP() async throws {
        // A child process: a signal to this test process would reach every gateway the other tests run.
        guard FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.binary) else {
            Issue.record("\(CrashRecoveryTests.binary) is missing: build it first (`swift build --build-tests` builds it)")
            return
        }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try LoopbackPort.free()
        let opsFile = directory.appendingPathComponent("ops.token").path
        let bobFile = directory.appendingPathComponent("bob.token").path
        try Data(GatewayHarness.opsToken.utf8).write(to: URL(fileURLWithPath: opsFile))
        try Data(Self.bobToken.utf8).write(to: URL(fileURLWithPath: bobFile))
        func configuration(withBob: Bool) -> String {
            """
            server: { host: 127.0.0.1, port: \(port) }
            storage: { data_dir: \(directory.path)/data }
            tokens:
              - { id: ops, role: ops, token: { file: "\(opsFile)" } }
            \(withBob ? #"  - { id: bob, role: agent, token: { file: "\#(bobFile)" } }"# : "")
            sources:
              - { id: demo, channel: webhook }
            """
        }
        try Fixtures.write(["Config/switchboard.yaml": configuration(withBob: false)], under: directory)
        let rules = try Fixtures.miniRuleDirectory()
        defer { try? FileManager.default.removeItem(at: rules.deletingLastPathComponent()) }
        let child = CrashRecoveryTests.Child(
            arguments: ["serve", "--config", directory.appendingPathComponent("Config/switchboard.yaml").path, "--rules", rules.path],
            log: directory.appendingPathComponent("serve.log").path)
        try child.start()
        defer { child.kill(SIGKILL) }
        let log = { String((try? String(contentsOfFile: child.log, encoding: .utf8))?.suffix(1500) ?? "") }
        #expect(try await eventually(within: 20) { await CrashRecoveryTests.healthy(port: port) }, "the gateway did not start: \(log())")
        @Sendable func bobStatus() async -> Int? {
            let request = Curl.HTTPRequest(
                method: "GET", url: "http://127.0.0.1:\(port)/v1/queues", headers: [("authorization", "Bearer \(Self.bobToken)")], timeout: .seconds(5),
                connectTimeout: .seconds(1))
            return try? await CurlHTTPClient().perform(request).status
        }
        #expect(await bobStatus() == 401)
        // The gateway traps SIGHUP when its services start, just after it answers: give that a moment.
        try await Task.sleep(for: .milliseconds(500))
        try Fixtures.write(["Config/switchboard.yaml": configuration(withBob: true)], under: directory)
        kill(try #require(child.process).processIdentifier, SIGHUP)
        #expect(try await eventually(within: 10) { await bobStatus() == 200 }, "\(log())")
        #expect(child.process?.isRunning == true)
        #expect(log().contains("tokens reloaded"))
    }

    @Test("a token past its not_after is refused 401 (recorded under its id); one before it works")
    func notAfter() async throws {
        let harness = try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused",
            environment: ["TEST_OLD_TOKEN": "old-token-for-tests-000001", "TEST_NEW_TOKEN": "new-token-for-tests-000001"],
            extraTokens: """
                  - { id: old, role: agent, not_after: "2020-01-01T00:00:00Z", token: { env: TEST_OLD_TOKEN } }
                  - { id: new, role: agent, not_after: "2999-01-01T08:00:00+08:00", token: { env: TEST_NEW_TOKEN } }
                """)
        try await harness.run { (client, parts) async throws in
            let expired = try await client.send(.get, "/v1/queues", token: "old-token-for-tests-000001")
            #expect(expired.status == .unauthorized)
            #expect(try expired.decode(ErrorAnswer.self).error.code == "token_expired")
            #expect(try await client.send(.get, "/v1/queues", token: "new-token-for-tests-000001").status == .ok)
            let log = try await testDatabase(parts.sqlitePath).read { db in
                try String.fetchAll(db, sql: "SELECT actor || ' ' || status FROM access_log ORDER BY seq")
            }
            #expect(log == ["old 401", "new 200"])
        }
    }

    @Test("two tokens may share an id during a rotation: both work, and both act as that id")
    func rotation() async throws {
        let harness = try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused", environment: ["TEST_ALICE_NEXT": "alice-next-token-for-tests-01"],
            extraTokens: """
                  - { id: alice, name: Alice, role: agent, token: { env: TEST_ALICE_NEXT } }
                """)
        try await harness.run { (client, parts) async throws in
            #expect(try await client.send(.get, "/v1/queues", token: GatewayHarness.agentToken).status == .ok)
            #expect(try await client.send(.get, "/v1/queues", token: "alice-next-token-for-tests-01").status == .ok)
            let actors = try await testDatabase(parts.sqlitePath).read { db in try String.fetchAll(db, sql: "SELECT actor FROM access_log ORDER BY seq") }
            #expect(actors == ["alice", "alice"])
        }
    }

    @Test("token configuration is checked: a shared id must grant the same, secrets must differ, scopes must name something, not_after must be a time")
    func configurationChecks() throws {
        let environment = ["A": "token-a-for-tests-0000001", "B": "token-b-for-tests-0000001"]
        func problems(_ tokens: String) throws -> [String] {
            try Fixtures.configurationProblems("""
                tokens:
                \(tokens)
                sources:
                  - { id: demo, channel: webhook }
                """, environment: environment)
        }
        #expect(try problems("""
              - { id: x, role: agent, token: { env: A } }
              - { id: x, role: agent, token: { env: B } }
            """).isEmpty)
        #expect(try problems("""
              - { id: x, role: agent, token: { env: A } }
              - { id: x, role: ops, token: { env: B } }
            """).contains { $0.contains("must have the same role, sources and queues") })
        #expect(try problems("""
              - { id: x, role: agent, token: { env: A } }
              - { id: y, role: agent, token: { env: A } }
            """).contains { $0.contains("has the same secret as token 'x'") })
        #expect(try problems("  - { id: x, role: agent, sources: [demo, nowhere], token: { env: A } }").contains { $0.contains("source 'nowhere'") })
        #expect(try problems("  - { id: x, role: agent, queues: [], token: { env: A } }").contains { $0.contains("must name at least one") })
        #expect(try problems("  - { id: x, role: agent, not_after: tomorrow, token: { env: A } }").contains { $0.contains("not_after of token 'x' must be a time") })
        #expect(try problems("  - { id: x, role: agent, sources: demo, queues: [general, vip], not_after: 2030-01-01T00:00:00.5Z, token: { env: A } }").isEmpty)
    }

    @Test("a new token is 32 random bytes in base64url, and its printed line loads with the secret in the environment or a file")
    func newToken() throws {
        let secrets = (0..<100).map { _ in GatewayConfiguration.newTokenSecret() }
        #expect(Set(secrets).count == 100)
        for secret in secrets {
            #expect(secret.count == 43)
            #expect(secret.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_".unicodeScalars.contains($0) })
        }
        #expect(GatewayConfiguration.tokenVariable(id: "night-shift.2") == "SWITCHBOARD_TOKEN_NIGHT_SHIFT_2")
        #expect(!GatewayConfiguration.isPlainTokenID("a b") && !GatewayConfiguration.isPlainTokenID("-") && GatewayConfiguration.isPlainTokenID("night-shift.2"))

        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("night.token").path
        try Data((secrets[1] + "\n").utf8).write(to: URL(fileURLWithPath: file))
        let byEnvironment = GatewayConfiguration.tokenStanza(
            id: "night-shift", name: "Night \"shift\"", role: "agent", place: .environment("SWITCHBOARD_TOKEN_NIGHT_SHIFT"),
            notAfter: "2030-01-01T00:00:00Z", sources: ["demo"], queues: ["general"])
        let byFile = GatewayConfiguration.tokenStanza(id: "night-ops", name: "night-ops", role: "ops", place: .file(file))
        #expect(!byEnvironment.contains(secrets[0]))
        try Fixtures.write(["Config/switchboard.yaml": """
            tokens:
              \(byEnvironment)
              \(byFile)
            sources:
              - { id: demo, channel: webhook }
            """], under: directory)
        let configuration = try GatewayConfiguration.load(
            path: directory.appendingPathComponent("Config/switchboard.yaml").path, environment: ["SWITCHBOARD_TOKEN_NIGHT_SHIFT": secrets[0]])
        #expect(configuration.tokens.map(\.secret) == [secrets[0], secrets[1]])
        let night = try #require(configuration.tokens.first)
        #expect(night.name == "Night \"shift\"")
        #expect(night.role == .agent && night.sources == ["demo"] && night.queues == ["general"])
        #expect(night.notAfter == GatewayConfiguration.timestamp("2030-01-01T00:00:00Z"))
        #expect(configuration.tokens.last?.role == .ops)
    }
}
