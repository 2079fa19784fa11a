import Curl

/// How a mailbox or relay logs in with OAuth2 (`imap.auth` / `smtp.auth`): the SASL mechanism and where
/// its access tokens come from. The secrets never appear in `description`, a mirror or a log line.
public struct OAuth2Settings: Sendable, CustomStringConvertible, CustomReflectable {
    /// Where access tokens come from.
    public enum Grant: Sendable {
        /// The OAuth2 refresh-token grant (RFC 6749 §6) at `token_url`.
        case refreshToken(RefreshTokenGrant)
        /// `token_command`, run by `/bin/sh -c`, prints the token.
        case command(TokenCommand)
    }

    /// The refresh-token grant's settings.
    public struct RefreshTokenGrant: Sendable {
        public var tokenURL: String
        public var clientID: String
        /// Absent for a public client (one registered without a secret).
        public var clientSecret: String?
        /// The refresh token the operator obtained once, by consent; a rotated one replaces it in memory only.
        public var refreshToken: String
        /// Space-separated scopes asked for with each refresh; the provider's default when absent.
        public var scope: String?

        public init(tokenURL: String, clientID: String, clientSecret: String?, refreshToken: String, scope: String?) {
            self.tokenURL = tokenURL
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.refreshToken = refreshToken
            self.scope = scope
        }
    }

    /// The token command's settings.
    public struct TokenCommand: Sendable {
        /// Run by `/bin/sh -c`, so pipelines and the operator's own helper scripts work as written.
        public var command: String
        /// How long a printed token is used when the command does not say (`expires_in` in a JSON answer).
        public var lifetime: Duration
        /// How long the command may run before it is killed.
        public var timeout: Duration

        public init(command: String, lifetime: Duration = TokenCommand.defaultLifetime, timeout: Duration = .seconds(30)) {
            self.command = command
            self.lifetime = lifetime
            self.timeout = timeout
        }

        /// Short, since the command's token may have been issued a while ago (a helper's own cache).
        public static let defaultLifetime: Duration = .seconds(300)
    }

    public var mechanism: MailSASLMechanism
    public var grant: Grant

    public init(mechanism: MailSASLMechanism, grant: Grant) {
        self.mechanism = mechanism
        self.grant = grant
    }

    /// The kind of grant, for logs and metrics: `refresh_token` or `token_command`.
    public var grantName: String {
        switch grant {
        case .refreshToken: "refresh_token"
        case .command: "token_command"
        }
    }

    public var description: String {
        switch grant {
        case let .refreshToken(grant): "\(mechanism.rawValue) with tokens from \(grant.tokenURL) for client \(grant.clientID)"
        case .command: "\(mechanism.rawValue) with tokens from a token_command"
        }
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["mechanism": mechanism.rawValue, "grant": grantName, "secrets": "redacted"])
    }
}
