/// Why no access token could be had, or the server refused one. Safe to log: it never carries a token,
/// a refresh token or a client secret; a token endpoint's answer is reduced to its OAuth2 `error` code and
/// a shortened `error_description`.
public struct MailAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Code
    public var description: String

    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The token endpoint could not be reached, or answered with a server error.
        public static let tokenEndpointUnavailable = Code(rawValue: "token_endpoint_unavailable")
        /// The token endpoint refused the refresh (`invalid_grant`, `invalid_client`, …): the consent was
        /// revoked or the settings are wrong. Needs an operator.
        public static let tokenRefused = Code(rawValue: "token_refused")
        /// The token endpoint's or the command's answer held no usable access token.
        public static let invalidTokenResponse = Code(rawValue: "invalid_token_response")
        /// The token command failed, timed out or could not be started.
        public static let tokenCommandFailed = Code(rawValue: "token_command_failed")
        /// The mail server refused the access token at login.
        public static let loginDenied = Code(rawValue: "login_denied")
    }

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// Text from outside (an error description, a command's failure) made short and free of control characters.
    static func safe(_ text: some StringProtocol, limit: Int = 200) -> String {
        var result = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        if result.count > limit { result = String(result.prefix(limit)) + "…" }
        return result
    }
}
