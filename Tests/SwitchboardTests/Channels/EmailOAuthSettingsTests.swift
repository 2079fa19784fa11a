@testable import Channels
import Curl
import Foundation
import Gateway
import StrictYAML
import TestSupport
import Testing

/// `imap.auth` and `smtp.auth` (issue 25, mailboxes at hosted providers): what loads, what is refused and
/// where, and that no secret shows in a description or a problem.
@Suite("Email source: OAuth2 login settings")
struct EmailOAuthSettingsTests {
    static let environment = [
        "SECRET": "a-thread-secret-long-enough", "PASSWORD": "hunter2-password", "CLIENT_SECRET": "client-secret-value-42",
        "REFRESH": "refresh-token-value-42",
    ]
    static let base = "  - id: mail\n    channel: email\n    address: support@example.com\n    thread_secret: { env: SECRET }\n"

    private func problems(_ source: String) throws -> [String] {
        try Fixtures.configurationProblems("sources:\n" + Self.base + source, environment: Self.environment)
    }

    private func load(_ source: String) throws -> EmailSource {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.write(["Config/switchboard.yaml": "sources:\n" + Self.base + source], under: directory)
        let configuration = try GatewayConfiguration.load(
            path: directory.appendingPathComponent("Config/switchboard.yaml").path, environment: Self.environment)
        return try #require(configuration.sources.first?.settings(as: EmailSource.self))
    }

    @Test("a refresh-token login and a token command load, with the mechanism on the endpoint and no secret in any description")
    func validSettings() throws {
        let source = try load("""
                imap:
                  url: imaps://outlook.office365.com:993
                  username: support@example.com
                  auth:
                    mechanism: xoauth2
                    token_url: https://login.microsoftonline.com/contoso/oauth2/v2.0/token
                    client_id: 00000000-1111-2222-3333-444444444444
                    client_secret: { env: CLIENT_SECRET }
                    refresh_token: { env: REFRESH }
                    scope: https://outlook.office365.com/IMAP.AccessAsUser.All offline_access
                smtp:
                  url: smtps://smtp.gmail.com:465
                  username: support@example.com
                  auth: { mechanism: OAUTHBEARER, token_command: "oauth2l fetch --json | jq -r .access_token", token_lifetime: 10m, token_timeout: 20s }

            """)
        let mailbox = try #require(source.mailbox)
        #expect(mailbox.endpoint.saslMechanism == .xoauth2)
        #expect(mailbox.endpoint.password == nil)
        guard case let .refreshToken(grant) = mailbox.oauth?.grant else {
            Issue.record("expected a refresh-token grant")
            return
        }
        #expect(grant.tokenURL == "https://login.microsoftonline.com/contoso/oauth2/v2.0/token")
        #expect(grant.clientSecret == "client-secret-value-42")
        #expect(grant.refreshToken == "refresh-token-value-42")
        #expect(grant.scope == "https://outlook.office365.com/IMAP.AccessAsUser.All offline_access")
        let relay = try #require(source.relay)
        #expect(relay.endpoint.saslMechanism == .oauthbearer)
        guard case let .command(command) = relay.oauth?.grant else {
            Issue.record("expected a token command")
            return
        }
        #expect(command.command == "oauth2l fetch --json | jq -r .access_token")
        #expect(command.lifetime == .seconds(600))
        #expect(command.timeout == .seconds(20))

        var endpoint = mailbox.endpoint
        endpoint.bearerToken = "access-token-value-42"
        let shown = ["\(endpoint)", String(reflecting: endpoint), "\(Mirror(reflecting: endpoint).children.map { "\($0.value)" })",
                     "\(mailbox.oauth!)", String(reflecting: mailbox.oauth!), "\(Mirror(reflecting: mailbox.oauth!).children.map { "\($0.value)" })"]
        for text in shown {
            #expect(!text.contains("access-token-value-42") && !text.contains("client-secret-value-42") && !text.contains("refresh-token-value-42"), "\(text)")
        }
        #expect("\(endpoint)".contains("XOAUTH2"))
    }

    @Test("auth: password and no auth both mean today's password login")
    func passwordLogin() throws {
        let source = try load("    imap: { url: \"imaps://imap.example.com\", username: u, password: { env: PASSWORD }, auth: password }\n")
        #expect(source.mailbox?.oauth == nil)
        #expect(source.mailbox?.endpoint.saslMechanism == nil)
        #expect(source.mailbox?.endpoint.password == "hunter2-password")
    }

    @Test("bad combinations are refused at their position, without showing a secret")
    func refusedSettings() throws {
        let grant = "token_url: \"https://login.example.com/token\", client_id: app, client_secret: { env: CLIENT_SECRET }, refresh_token: { env: REFRESH }"
        func imap(_ auth: String, extra: String = "username: u") throws -> [String] {
            let found = try problems("    imap: { url: \"imaps://imap.example.com\", \(extra), auth: \(auth) }\n")
            #expect(!found.joined().contains("client-secret-value-42") && !found.joined().contains("refresh-token-value-42"))
            return found
        }
        let both = try imap("{ mechanism: xoauth2, \(grant) }", extra: "username: u, password: { env: PASSWORD }")
        #expect(both.contains { $0.contains("logs in with xoauth2: remove password") }, "\(both)")
        let noUser = try imap("{ mechanism: xoauth2, \(grant) }", extra: "mailbox: INBOX")
        #expect(noUser.contains { $0.contains("needs a username") }, "\(noUser)")
        let noClient = try imap("{ mechanism: xoauth2, token_url: \"https://login.example.com/token\", refresh_token: { env: REFRESH } }")
        #expect(noClient.contains { $0.contains("missing required key 'client_id'") }, "\(noClient)")
        let plainHTTP = try imap("{ mechanism: xoauth2, token_url: \"http://login.example.com/token\", client_id: app, refresh_token: { env: REFRESH } }")
        #expect(plainHTTP.contains { $0.contains("must be https://") }, "\(plainHTTP)")
        let loopback = try imap("{ mechanism: xoauth2, token_url: \"http://127.0.0.1:8080/token\", client_id: app, refresh_token: { env: REFRESH } }")
        #expect(loopback.isEmpty, "\(loopback)")
        let inline = try imap("{ mechanism: xoauth2, token_url: \"https://login.example.com/token\", client_id: app, refresh_token: written-inline }")
        #expect(inline.contains { $0.contains("refresh_token of auth of imap of source 'mail' is a secret") }, "\(inline)")
        let mechanism = try imap("{ mechanism: cram-md5, \(grant) }")
        #expect(mechanism.contains { $0.contains("must be xoauth2 or oauthbearer") }, "\(mechanism)")
        let twoSources = try imap("{ mechanism: xoauth2, \(grant), token_command: \"print-token\" }")
        #expect(twoSources.contains { $0.contains("token_url or token_command, not both") }, "\(twoSources)")
        let none = try imap("{ mechanism: xoauth2 }")
        #expect(none.contains { $0.contains("needs token_url (with client_id and refresh_token) or token_command") }, "\(none)")
        let mixed = try imap("{ mechanism: xoauth2, token_command: \"print-token\", client_id: app }")
        #expect(mixed.contains { $0.contains("client_id is for token_url") }, "\(mixed)")
        let lifetime = try imap("{ mechanism: xoauth2, \(grant), token_lifetime: 5m }")
        #expect(lifetime.contains { $0.contains("token_lifetime is for token_command") }, "\(lifetime)")
        let short = try imap("{ mechanism: xoauth2, token_command: \"print-token\", token_lifetime: 2s }")
        #expect(short.contains { $0.contains("token_lifetime must be between 10s and 24h") }, "\(short)")
        let word = try imap("bearer")
        #expect(word.contains { $0.contains("must be password or a mapping") }, "\(word)")
        let unknown = try imap("{ mechanism: xoauth2, \(grant), tenant: contoso }")
        #expect(unknown.contains { $0.contains("unknown key 'tenant'") }, "\(unknown)")
        let clearText = try problems("    smtp: { url: \"smtp://smtp.example.com:587\", username: u, auth: { mechanism: xoauth2, \(grant) } }\n")
        #expect(clearText.contains { $0.contains("would send its access token in clear text") }, "\(clearText)")
        // Positions: the problem points at the imap line (line 6 of the file).
        #expect(both.contains { $0.contains("switchboard.yaml:6:") }, "\(both)")
    }
}
