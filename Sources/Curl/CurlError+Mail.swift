import CCurl

/// Codes of the failures the mail clients find themselves, apart from libcurl's own `CURLcode`s
/// (which are all positive).
extension CurlError {
    /// An argument that cannot be sent safely: a line break in an address, a flag that is not an atom, a bad URL.
    public static let invalidInput = -2
    /// The mailbox's UIDVALIDITY is not the one the caller expected: its UIDs mean other messages now.
    public static let uidValidityChanged = -20
    /// The session was closed.
    public static let sessionClosed = -21
    /// The server's answer could not be understood.
    public static let unexpectedResponse = -22
    /// A message or response is larger than the client keeps.
    public static let tooLarge = -23
    /// The endpoint logs in with OAuth2 but was given no access token.
    public static let noAccessToken = -24

    /// The failure of a send or session that had no access token to log in with; `reason` must hold no secret.
    public static func missingAccessToken(_ reason: String) -> CurlError {
        CurlError(code: noAccessToken, description: reason)
    }

    /// Whether the server refused the login (`CURLE_LOGIN_DENIED`): wrong credentials or an access token
    /// it no longer accepts.
    public var isLoginDenied: Bool { code == Self.code(CURLE_LOGIN_DENIED) }

    /// libcurl's `CURLcode` as the `code` of a ``CurlError``.
    static func code(_ code: CURLcode) -> Int { Int(code.rawValue) }
}

extension CurlError: Equatable {
    public static func == (lhs: CurlError, rhs: CurlError) -> Bool {
        lhs.code == rhs.code && lhs.description == rhs.description
    }
}
