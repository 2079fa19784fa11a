import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Mail
import Testing

/// OAuth2 mailboxes as `serve` runs them: the settings read from the configuration file, the mailbox polled
/// and the relay used by the gateway's own services, with tokens from a local token endpoint and a real
/// Dovecot and SMTP server checking them against a local introspection endpoint.
@Suite("OAuth2 mailboxes in the running gateway", .serialized)
struct OAuthGatewayTests {
    @Test("a gateway configured with auth: xoauth2 for IMAP and SMTP imports a customer's mail and acknowledges it through the relay; /metrics shows no auth failure")
    func configuredMailboxWorks() async throws {
        let provider = FakeOAuthProvider(username: "support")
        await provider.start()
        let servers = try await TestMailServers.start(introspectionURL: provider.introspectionURL, oauthMechanisms: [.xoauth2])
        defer { servers.stop() }
        try await stopping(provider) {
            try await EmailTests.append(servers, try EmailTests.customerMail(
                from: "ivy@localhost", subject: "发票", messageID: "oauth-gw-1@example.com", text: "请问发票什么时候开？"))
            let auth = """
                { mechanism: xoauth2, token_url: "\(provider.tokenURL)", client_id: \(FakeOAuthProvider.clientID), client_secret: { env: TEST_CLIENT_SECRET }, refresh_token: { env: TEST_REFRESH_TOKEN }, scope: "\(OAuthMailboxTests.scope)" }
                """
            let harness = try GatewayHarness(
                replyURL: "http://127.0.0.1:9/unused",
                extraSources: """
                      - id: mail
                        channel: email
                        address: support@localhost
                        thread_secret: { env: TEST_THREAD_SECRET }
                        imap:
                          url: imap://127.0.0.1:\(servers.imapPort)
                          username: support
                          poll_interval: 100ms
                          auth: \(auth)
                        smtp:
                          url: smtp://127.0.0.1:\(servers.smtpPort)
                          username: support
                          helo_name: switchboard.test
                          auth: \(auth)
                    """,
                environment: [
                    "TEST_THREAD_SECRET": EmailTests.threadSecret, "TEST_CLIENT_SECRET": FakeOAuthProvider.clientSecret,
                    "TEST_REFRESH_TOKEN": FakeOAuthProvider.initialRefreshToken,
                ])
            try await harness.run { client, parts in
                #expect(try await eventually { try await EmailTests.count(parts, "SELECT COUNT(*) FROM messages") == 1 })
                // The acknowledgement left through the relay, logged in with its own token.
                #expect(try await eventually { try await servers.mailbox("ivy").count == 1 })
                let ack = MIMEParser().parse(try #require(try await servers.mailbox("ivy").first))
                #expect(ack.inReplyTo == ["oauth-gw-1@example.com"])
                #expect(provider.refreshes >= 2)
                let metrics = String(buffer: try await client.send(.get, "/metrics").body)
                #expect(!metrics.contains(FakeOAuthProvider.clientSecret) && !metrics.contains(FakeOAuthProvider.initialRefreshToken))
                #expect(!metrics.split(separator: "\n").contains { $0.hasPrefix("switchboard_mail_auth_failed{") && $0.hasSuffix(" 1") })
            }
        }
    }
}
