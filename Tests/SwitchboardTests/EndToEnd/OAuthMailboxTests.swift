@testable import Channels
import Curl
import Foundation
import GRDB
import Logging
import Metrics
import Pipeline
import Prometheus
import SQLiteStorage
import SwitchboardCore
import TestSupport
import Testing

/// Mailboxes at hosted providers (issue 25): a real Dovecot whose `oauth2` passdb asks a local
/// introspection endpoint about each token, and a local token endpoint the gateway refreshes from.
@Suite("OAuth2 mailboxes against real Dovecot", .serialized)
struct OAuthMailboxTests {
    static let scope = "https://mail.example.test/IMAP offline_access"

    /// The provider, the servers, a store with the real intake, and the mailbox's poller with its session.
    final class Harness: Sendable {
        let provider: FakeOAuthProvider
        let servers: TestMailServers
        let directory: URL
        let store: SQLiteMessageStore
        let mailbox: IMAPIntake
        let session: CurlIMAPSession
        /// The mailbox's endpoint, logging in with a token.
        let endpoint: MailServerEndpoint
        let passwordSession: CurlIMAPSession
        let registry = PrometheusCollectorRegistry()
        let lines = CapturingLogHandler.Lines()

        init(mechanism: MailSASLMechanism, offered: [MailSASLMechanism] = MailSASLMechanism.allCases, expiresIn: Int = 3600) async throws {
            provider = FakeOAuthProvider(username: "support", expiresIn: expiresIn)
            await provider.start()
            servers = try await TestMailServers.start(introspectionURL: provider.introspectionURL, oauthMechanisms: offered)
            directory = try Fixtures.temporaryDirectory()
            store = try SQLiteMessageStore(directory: directory.path)
            let lines = lines
            let logger = Logger(label: "oauth-test") { _ in CapturingLogHandler(lines: lines) }
            let metrics = PrometheusMetricsFactory(registry: registry)
            let intake = Intake(
                store: store, rules: RuleBook(try RuleDirectory.load(Fixtures.shippedRules)), timeZone: TimeZone(identifier: "UTC")!,
                logger: logger, metricsFactory: metrics, outboxChanged: {})
            var settings = EmailSource.Mailbox(endpoint: servers.imapEndpoint(user: "support", mechanism: mechanism))
            settings.oauth = OAuthMailboxTests.settings(provider, mechanism: mechanism)
            let source = EmailSource(id: "mail", address: "support@localhost", threadSecret: EmailTests.threadSecret, mailbox: settings)
            mailbox = IMAPIntake(source: source, mailbox: settings, intake: intake, store: store, logger: logger, metricsFactory: metrics)
            endpoint = settings.endpoint
            session = CurlIMAPSession(endpoint: settings.endpoint, mailbox: "INBOX", logger: logger)
            passwordSession = CurlIMAPSession(endpoint: servers.imapEndpoint(user: "support"), mailbox: "INBOX", logger: Logger(label: "test"))
        }

        func stop() async {
            session.close()
            passwordSession.close()
            servers.stop()
            await provider.stop()
            try? FileManager.default.removeItem(at: directory)
        }

        /// A customer's message put into the mailbox with the password login.
        func deliver(_ index: Int) async throws {
            _ = try await passwordSession.append(try EmailTests.customerMail(
                from: "kunde\(index)@example.com", subject: "订单 \(index)", messageID: "oauth-\(index)@example.com", text: "请问订单 \(index) 到哪了"))
        }

        /// Polls until `count` messages are stored and returns how many the polls committed: a session may see
        /// mail another session appended only at its next poll. At most five polls.
        func pollUntilStored(_ count: Int, session: CurlIMAPSession? = nil) async throws -> Int {
            var committed = 0
            for _ in 0..<5 where try await stored().count < count {
                committed += try await mailbox.poll(session ?? self.session)
            }
            return committed
        }

        func stored() async throws -> [String] {
            try await testDatabase(store.path).read { db in try String.fetchAll(db, sql: "SELECT external_id FROM messages ORDER BY rowid") }
        }

        func cursor() async throws -> Int64? {
            try await store.intakeCursor(source: "mail", stream: "INBOX")?.position
        }

        /// UIDs flagged `\Seen` on the server.
        func seen() async throws -> [UInt32] {
            let status = try await passwordSession.status()
            return try await passwordSession.fetch(uids: try await passwordSession.uids(from: 1), expectedUIDValidity: status.uidValidity)
                .filter { $0.flags.contains("\\Seen") }.map(\.uid).sorted()
        }

        /// `/metrics` as Prometheus text.
        func metricsText() -> String {
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return String(decoding: buffer, as: UTF8.self)
        }

        /// The value of the sample whose line starts with `name{` and holds every one of `labels`.
        func sample(_ name: String, _ labels: [String]) -> Double? {
            metricsText().split(separator: "\n").first { line in
                line.hasPrefix(name + "{") && labels.allSatisfy { line.contains($0) }
            }.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        }

        /// Every log line as one text: message and metadata.
        func logText() -> String {
            lines.all.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        }
    }

    static func settings(_ provider: FakeOAuthProvider, mechanism: MailSASLMechanism) -> OAuth2Settings {
        OAuth2Settings(mechanism: mechanism, grant: .refreshToken(.init(
            tokenURL: provider.tokenURL, clientID: FakeOAuthProvider.clientID, clientSecret: FakeOAuthProvider.clientSecret,
            refreshToken: FakeOAuthProvider.initialRefreshToken, scope: scope)))
    }

    @Test("a mailbox is polled with an access token from the token endpoint, by the mechanism asked for", arguments: [
        (MailSASLMechanism.xoauth2, [MailSASLMechanism.xoauth2]), (.oauthbearer, MailSASLMechanism.allCases),
    ])
    func pollsWithToken(mechanism: MailSASLMechanism, offered: [MailSASLMechanism]) async throws {
        let harness = try await Harness(mechanism: mechanism, offered: offered)
        do {
            try await harness.deliver(1)
            #expect(try await harness.mailbox.poll(harness.session) == 1)
            #expect(try await harness.stored() == ["oauth-1@example.com"])
            #expect(try await harness.seen() == [1])
            #expect(harness.provider.refreshes == 1)
            #expect(harness.provider.scopes == [Self.scope])
            #expect(harness.servers.loginMethods().contains(mechanism.rawValue), "\(harness.servers.loginMethods())")
            // The token is cached: the next poll asks the token endpoint nothing.
            try await harness.deliver(2)
            #expect(try await harness.pollUntilStored(2) == 1)
            #expect(harness.provider.refreshes == 1)
            #expect(harness.sample("switchboard_mail_auth_failed", [#"source="mail""#, #"protocol="imap""#]) == 0)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("a token that expires is refreshed from the token endpoint (with the refresh token it rotated) and polling goes on")
    func refreshesExpiredToken() async throws {
        let harness = try await Harness(mechanism: .oauthbearer, expiresIn: 1)
        do {
            harness.provider.setRotating(true)
            // The client must replace a token by the lifetime announced; the server holding it to that second
            // would only make the test depend on how fast the first poll runs.
            harness.provider.setGrace(60)
            try await harness.deliver(1)
            #expect(try await harness.mailbox.poll(harness.session) == 1)
            #expect(harness.provider.refreshes == 1)
            try await harness.deliver(2)
            // Past the first token's lifetime (1 s): the next poll must get another one.
            try await Task.sleep(for: .milliseconds(1200))
            #expect(try await harness.pollUntilStored(2) == 1)
            #expect(harness.provider.refreshes == 2)
            #expect(harness.provider.refused == 0, "the rotated refresh token was used")
            let issued = harness.provider.issuedTokens
            #expect(issued.count == 2)
            // The new token logged in: curl opened a new connection for it and Dovecot introspected it.
            #expect(harness.provider.introspected.contains(issued[1]))
            #expect(try await harness.stored() == ["oauth-1@example.com", "oauth-2@example.com"])
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("a revoked token stops the intake without moving its cursor, reports auth_failed without the token, and the messages come in once after recovery")
    func revokedTokenKeepsCursor() async throws {
        let harness = try await Harness(mechanism: .xoauth2, offered: [.xoauth2])
        do {
            try await harness.deliver(1)
            #expect(try await harness.mailbox.poll(harness.session) == 1)
            #expect(try await harness.cursor() == 1)

            harness.provider.revoke()
            try await harness.deliver(2)
            try await harness.deliver(3)
            // A new connection, as after a restart or a dropped one: its login uses the cached, revoked token.
            let session = CurlIMAPSession(endpoint: harness.endpoint, mailbox: "INBOX", logger: Logger(label: "test"))
            defer { session.close() }
            let denied = await #expect(throws: MailAuthError.self) { try await harness.mailbox.poll(session) }
            #expect(denied?.code == .loginDenied)
            // The refused token was dropped: this poll asks for a new one, which the token endpoint refuses.
            let refused = await #expect(throws: MailAuthError.self) { try await harness.mailbox.poll(session) }
            #expect(refused?.code == .tokenRefused)
            #expect(harness.provider.refused == 1)

            #expect(try await harness.stored() == ["oauth-1@example.com"])
            #expect(try await harness.cursor() == 1)
            #expect(try await harness.seen() == [1])
            #expect(harness.sample("switchboard_mail_auth_failures_total", [#"source="mail""#, #"protocol="imap""#]) == 2)
            #expect(harness.sample("switchboard_mail_auth_failed", [#"source="mail""#, #"protocol="imap""#]) == 1)
            let failures = harness.lines.all.filter { $0.level == .error && $0.message.contains("auth_failed") }
            #expect(failures.map { $0.metadata["auth.error.code"] } == ["login_denied", "token_refused"])
            #expect(failures.allSatisfy { $0.metadata["source.id"] == "mail" && $0.metadata["auth.mechanism"] == "XOAUTH2" })
            let secrets = harness.provider.issuedTokens + [FakeOAuthProvider.clientSecret, FakeOAuthProvider.initialRefreshToken]
            let text = harness.logText() + harness.metricsText()
            for secret in secrets { #expect(!text.contains(secret)) }

            harness.provider.recover()
            #expect(try await harness.pollUntilStored(3, session: session) == 2)
            #expect(try await harness.stored() == ["oauth-1@example.com", "oauth-2@example.com", "oauth-3@example.com"])
            #expect(try await harness.mailbox.poll(session) == 0)
            #expect(try await harness.cursor() == 3)
            #expect(try await harness.seen() == [1, 2, 3])
            #expect(harness.sample("switchboard_mail_auth_failed", [#"source="mail""#, #"protocol="imap""#]) == 0)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("a reply goes out through an SMTP relay with XOAUTH2; a revoked token is a retryable failure, counted, until the provider recovers")
    func smtpWithToken() async throws {
        let harness = try await Harness(mechanism: .xoauth2, offered: [.xoauth2])
        do {
            var endpoint = harness.servers.smtpEndpoint()
            endpoint.username = "support@localhost"
            var relay = EmailSource.Relay(endpoint: endpoint, heloName: "localhost")
            relay.oauth = Self.settings(harness.provider, mechanism: .xoauth2)
            let lines = harness.lines
            let client = SMTPRelayClient(
                relay: relay, sourceID: "mail", logger: Logger(label: "smtp") { _ in CapturingLogHandler(lines: lines) },
                metricsFactory: PrometheusMetricsFactory(registry: harness.registry))
            let message = try EmailTests.customerMail(from: "support@localhost", to: "customer@localhost", subject: "回复", messageID: "reply-1@localhost", text: "已发货")

            guard case .accepted = await client.send(from: "support@localhost", recipients: ["customer@localhost"], message: message) else {
                Issue.record("the first send was not accepted")
                return await harness.stop()
            }
            #expect(try await harness.servers.mailbox("customer") == [message])
            #expect(harness.provider.refreshes == 1)

            harness.provider.revoke()
            let denied = await client.send(from: "support@localhost", recipients: ["customer@localhost"], message: message)
            guard case let .failed(error) = denied else {
                Issue.record("a revoked token was not a failed send: \(denied)")
                return await harness.stop()
            }
            #expect(error.isLoginDenied)
            let noToken = await client.send(from: "support@localhost", recipients: ["customer@localhost"], message: message)
            guard case let .failed(second) = noToken else {
                Issue.record("a refused refresh was not a failed send: \(noToken)")
                return await harness.stop()
            }
            #expect(second.code == CurlError.noAccessToken)
            #expect(harness.sample("switchboard_mail_auth_failures_total", [#"source="mail""#, #"protocol="smtp""#]) == 2)
            for secret in harness.provider.issuedTokens { #expect(!harness.logText().contains(secret) && !"\(denied)\(noToken)".contains(secret)) }

            harness.provider.recover()
            guard case .accepted = await client.send(from: "support@localhost", recipients: ["customer@localhost"], message: message) else {
                Issue.record("the send after recovery was not accepted")
                return await harness.stop()
            }
            #expect(try await harness.servers.mailbox("customer").count == 2)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}
