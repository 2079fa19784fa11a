import Foundation

/// A signed-in console browser as the store keeps it: named by the hash of its cookie (never the cookie),
/// tied to the token it was opened with (by the token's digest, never the token).
public struct ConsoleSession: Sendable, Equatable {
    /// SHA-256 of the session cookie, lower-case hex.
    public var cookieHash: String
    /// SHA-256 of the API token the session was opened with, lower-case hex.
    public var tokenDigest: String
    /// Sent back with every state-changing request; useless without the cookie.
    public var csrfToken: String
    public var openedAt: Date
    /// The last request, to within the store's touch interval: idle expiry counts from here.
    public var lastSeenAt: Date

    public init(cookieHash: String, tokenDigest: String, csrfToken: String, openedAt: Date, lastSeenAt: Date) {
        self.cookieHash = cookieHash
        self.tokenDigest = tokenDigest
        self.csrfToken = csrfToken
        self.openedAt = openedAt
        self.lastSeenAt = lastSeenAt
    }
}
