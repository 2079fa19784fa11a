import Channels
import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresStorage
import TestSupport
import Testing

/// Builds the application `switchboard serve` builds, on port 0 with a temporary data directory and a
/// configuration file written for the test.
struct GatewayHarness {
    static let agentToken = "agent-token-for-tests-0001"
    static let opsToken = "ops-token-for-tests-000001"
    static let replySecret = "whsec_dGVzdC1yZXBseS1zZWNyZXQtZm9yLXN3aXRjaGJvYXJk"
    static let inboundSecret = "whsec_aW5ib3VuZC1zZWNyZXQtZm9yLXRoZS1zaG9wLXNvdXJjZQ=="

    let directory: URL
    let configuration: GatewayConfiguration
    let rulesDirectory: String
    /// The configuration file and the environment it was read with: a token reload reads them again.
    let configurationPath: String
    let environment: [String: String]
    /// The configuration file's text as written at the start.
    let configurationText: String

    /// Removes the temporary directory after ``run(_:)``; off when a test restarts on the same data.
    var removeDirectoryAfterRun = true
    /// Off for tests that rewrite the outbox themselves: a delivery attempt in flight would write over them.
    var deliverReplies = true
    /// The gateway's clock (receipts, actions, replies, SLA timers, outbox due times); the real one unless a
    /// test moves it.
    var timerClock: (@Sendable () -> Date)?
    /// How often the service-level gauges are recomputed; the gateway's default unless a test shortens it.
    var serviceLevelInterval: Duration?
    /// Replaces the quiet default logger, for tests that read what the gateway logs.
    var logger: Logger?

    /// - Parameters:
    ///   - extraSources: YAML list items appended under `sources:` (indented by two spaces).
    ///   - environment: more variables for `env:` references in `extraSources`.
    ///   - extraTokens: YAML list items appended under `tokens:` (indented by two spaces).
    ///   - directory: reuse a directory (and its database) from an earlier harness, to test a restart.
    ///   - channels: the channels sources may use (a test adds its own to show a channel plugs in whole).
    ///   - extraSections: top-level YAML sections appended at the end (`notifications:`).
    ///   - outboxTimeout: how long one delivery may take before it counts as failed.
    ///   - postgres: a database to run on instead of the embedded store.
    init(
        replyURL: String, rules: String = Fixtures.shippedRules, maxAttempts: Int = 3, maxBodyBytes: Int = 4096,
        extraSources: String = "", environment: [String: String] = [:], directory: URL? = nil, publicURL: String? = nil,
        serverExtra: String = "", extraTokens: String = "", channels: [any ChannelPlugin.Type] = GatewayConfiguration.builtInChannels,
        extraSections: String = "", outboxTimeout: String = "5s", postgres: PostgresSettings? = nil
    ) throws {
        self.directory = try directory ?? Fixtures.temporaryDirectory()
        rulesDirectory = rules
        let yaml = """
            server: { host: 127.0.0.1, port: 0, max_body_bytes: \(maxBodyBytes)\(publicURL.map { ", public_url: \($0)" } ?? "")\(serverExtra.isEmpty ? "" : ", " + serverExtra) }
            storage: { data_dir: \(self.directory.appendingPathComponent("data").path)\(postgres == nil ? "" : ", postgres: { url: { env: TEST_DATABASE_URL }, pool: 8 }") }
            time_zone: Asia/Shanghai
            tokens:
              - { id: alice, name: Alice, role: agent, token: { env: TEST_AGENT_TOKEN } }
              - { id: ops, role: ops, token: { env: TEST_OPS_TOKEN } }
            \(extraTokens)
            sources:
              - id: demo
                channel: webhook
                reply_url: { env: TEST_REPLY_URL }
                reply_secret: { env: TEST_REPLY_SECRET }
              - id: shop
                channel: webhook
                reply_url: { env: TEST_REPLY_URL }
                reply_secret: { env: TEST_REPLY_SECRET }
                inbound_signature: { scheme: standard-webhooks, secret: { env: TEST_INBOUND_SECRET } }
            \(extraSources)
            outbox:
              max_attempts: \(maxAttempts)
              initial_backoff: 50ms
              max_backoff: 200ms
              poll_interval: 50ms
              timeout: \(outboxTimeout)
            \(extraSections)
            """
        let path = self.directory.appendingPathComponent("Config/switchboard.yaml")
        try Fixtures.write(["Config/switchboard.yaml": yaml], under: self.directory)
        configurationPath = path.path
        configurationText = yaml
        var environment = [
            "TEST_AGENT_TOKEN": Self.agentToken, "TEST_OPS_TOKEN": Self.opsToken, "TEST_REPLY_URL": replyURL,
            "TEST_REPLY_SECRET": Self.replySecret, "TEST_INBOUND_SECRET": Self.inboundSecret,
        ].merging(environment) { _, new in new }
        if let postgres {
            environment["TEST_DATABASE_URL"] =
                "postgres://\(postgres.username):\(postgres.password)@\(postgres.host):\(postgres.port)/\(postgres.database)"
        }
        self.environment = environment
        configuration = try GatewayConfiguration.load(path: path.path, environment: self.environment, channels: channels)
    }

    /// Runs `body` against a live server; cleans up the temporary directory afterwards.
    func run(_ body: @escaping @Sendable (any TestClientProtocol, Gateway.Parts) async throws -> Void) async throws {
        defer { if removeDirectoryAfterRun { try? FileManager.default.removeItem(at: directory) } }
        var logger = self.logger ?? Logger(label: "switchboard-test")
        if self.logger == nil { logger.logLevel = .warning }
        var options = Gateway.Options(configuration: configuration, rulesDirectory: rulesDirectory)
        options.deliverReplies = deliverReplies
        options.configurationPath = configurationPath
        options.environment = environment
        if let timerClock { options.clock = timerClock }
        if let serviceLevelInterval { options.serviceLevelInterval = serviceLevelInterval }
        let (application, parts) = try await Gateway.buildApplication(options, logger: logger)
        try await application.test(.live) { client in
            try await body(client, parts)
        }
    }
}

extension TestClientProtocol {
    /// Sends JSON with optional bearer token and extra headers.
    func send(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil, token: String? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if json != nil { headers[.contentType] = "application/json" }
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestClientProtocol {
    /// Posts an HTML form (as SMS providers do), with extra headers such as a signature.
    func postForm(_ uri: String, _ fields: [(String, String)], headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        headers[.contentType] = "application/x-www-form-urlencoded"
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let body = fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }
}

/// Polls until `condition` holds, for at most `seconds`; the outbox is delivered asynchronously.
///
/// The default is generous: it only bounds how long a failing test waits, while a passing one returns as soon
/// as the condition holds. On two cores running the whole suite at once, a gateway's services can wait
/// seconds for a thread (a clean-clone CI run once saw three delivery attempts take longer than ten).
func eventually(within seconds: Double = 30, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// A second connection to the gateway's database, waiting politely for the gateway's own writes.
func testDatabase(_ path: String) throws -> DatabaseQueue {
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    return try DatabaseQueue(path: path, configuration: configuration)
}
