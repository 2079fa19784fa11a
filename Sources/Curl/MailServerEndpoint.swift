import Foundation

/// Where a mail server is and how to log in. The password and the OAuth2 access token never appear in
/// `description`, `debugDescription`, a mirror, a log line or an error.
public struct MailServerEndpoint: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `imap://host:port`, `imaps://host:port`, `smtp://host:port` or `smtps://host:port`: no path, no credentials.
    public var url: String
    public var username: String?
    public var password: String?
    /// Log in with SASL XOAUTH2 or OAUTHBEARER instead of a password; the token is set per session or send
    /// (``bearerToken``), since it expires.
    public var saslMechanism: MailSASLMechanism?
    /// The OAuth2 access token sent with ``saslMechanism`` (`CURLOPT_XOAUTH2_BEARER`).
    public var bearerToken: String?
    /// For `imap://` and `smtp://`: upgrade with STARTTLS and refuse to go on without TLS (`CURLUSESSL_ALL`).
    public var startTLS: Bool
    /// A PEM bundle of the CAs to trust instead of the system's (`CURLOPT_CAINFO`).
    public var caFile: String?
    public var verifyPeer: Bool
    /// How long connecting (TCP and TLS) may take.
    public var connectTimeout: Duration
    /// How long one whole transfer may take.
    public var timeout: Duration

    public init(
        url: String, username: String? = nil, password: String? = nil, startTLS: Bool = false, caFile: String? = nil,
        verifyPeer: Bool = true, connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(60)
    ) {
        self.url = url
        self.username = username
        self.password = password
        self.startTLS = startTLS
        self.caFile = caFile
        self.verifyPeer = verifyPeer
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    public var description: String {
        var text = url
        if let username { text += " as \(username)" }
        if let saslMechanism { text += " with \(saslMechanism.rawValue)" }
        if startTLS { text += " (STARTTLS required)" }
        return text
    }

    public var debugDescription: String {
        "MailServerEndpoint(\(description), password: \(password == nil ? "none" : "redacted")"
            + (saslMechanism.map { ", sasl: \($0.rawValue), token: \(bearerToken == nil ? "none" : "redacted")" } ?? "") + ")"
    }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "url": url, "username": username as Any, "password": password == nil ? "none" : "redacted",
            "saslMechanism": saslMechanism as Any, "bearerToken": bearerToken == nil ? "none" : "redacted",
        ])
    }

    /// `text` with the password and the access token replaced by `***`: for a server's answer quoted in an error.
    func redacting(_ text: String) -> String {
        var text = text
        for secret in [password, bearerToken].compactMap({ $0 }) where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: "***")
        }
        return text
    }

    /// The endpoint's URL checked against `schemes` and reduced to `scheme://host[:port]`.
    func baseURL(schemes: Set<String>) throws(CurlError) -> String {
        guard let separator = url.range(of: "://") else {
            throw CurlError(code: CurlError.invalidInput, description: "mail server URL \(Self.safe(url)) has no scheme")
        }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard schemes.contains(scheme) else {
            throw CurlError(
                code: CurlError.invalidInput,
                description: "mail server URL scheme \(Self.safe(scheme)) is not one of \(schemes.sorted().joined(separator: ", "))")
        }
        var authority = url[separator.upperBound...]
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        guard !authority.isEmpty,
            !authority.contains(where: { "/?#@ \\".contains($0) || $0.isNewline || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false })
        else {
            // An '@' means credentials in the URL, which are never shown back, so the URL is not quoted here.
            throw CurlError(
                code: CurlError.invalidInput,
                description: "mail server URL must be \(scheme)://host:port without credentials, path, query or spaces")
        }
        return "\(scheme)://\(authority)"
    }

    /// A value cut short and with control characters replaced, safe for an error text.
    static func safe<S: StringProtocol>(_ text: S, limit: Int = 200) -> String {
        var result = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        if result.count > limit { result = String(result.prefix(limit)) + "…" }
        return result
    }
}
