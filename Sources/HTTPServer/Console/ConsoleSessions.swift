import Digests
import Foundation
import SwitchboardCore

/// The console's sign-ins: a browser trades an API token once for a session, named by a random cookie,
/// so the token itself never stays in the browser.
///
/// Sessions are kept in the store (``SessionStore``), so a browser signed in on one gateway is signed in
/// on every gateway sharing it, and across restarts. The store holds the SHA-256 of the cookie, never the
/// cookie, and the digest of the token, never the token. A session ends after `idleTimeout` without a
/// request, on sign-out, or when the token it was opened with is removed or expires (each request finds
/// the token again by its digest).
public struct ConsoleSessions: Sendable {
    /// A live session: who it stands for, and the token its page sends back.
    struct Session: Sendable {
        /// The SHA-256 of the token it was opened with: the token in force with this digest is the caller.
        var tokenDigest: [UInt8]
        /// Sent back with every state-changing request (`X-CSRF-Token`); another site's page cannot read it.
        var csrfToken: String
    }

    /// The cookie that names a session.
    public static let cookieName = "switchboard_session"

    public let idleTimeout: TimeInterval
    /// How old a session's last request may be before the next one is written down: a busy console
    /// writes once a minute, not once a request, and idle expiry is exact to within this.
    public let touchInterval: TimeInterval
    private let store: any SessionStore

    public init(store: any SessionStore, idleTimeout: TimeInterval = 8 * 3600, touchInterval: TimeInterval = 60) {
        self.store = store
        self.idleTimeout = idleTimeout
        self.touchInterval = touchInterval
    }

    /// Opens a session for `token`: the cookie's value and the session's CSRF token. Sessions idle past
    /// their time are swept on the way.
    func open(for token: AccessToken, now: Date) async throws -> (cookie: String, csrfToken: String) {
        let cookie = AccessToken.generateSecret()
        let csrf = AccessToken.generateSecret()
        try await store.openSession(
            ConsoleSession(cookieHash: Self.hash(cookie), tokenDigest: Digest.hex(token.digest), csrfToken: csrf, openedAt: now, lastSeenAt: now),
            endingIdleBefore: now.addingTimeInterval(-idleTimeout))
        return (cookie, csrf)
    }

    /// The live session the cookie names, with this request recorded; nil for an unknown or idle one.
    func session(cookie: String, now: Date) async throws -> Session? {
        let hash = Self.hash(cookie)
        guard let stored = try await store.session(cookieHash: hash), let digest = Digest.bytes(fromHex: stored.tokenDigest) else { return nil }
        let idle = now.timeIntervalSince(stored.lastSeenAt)
        guard idle < idleTimeout else {
            try await store.endSession(cookieHash: hash)
            return nil
        }
        if idle >= touchInterval { try await store.touchSession(cookieHash: hash, at: now) }
        return Session(tokenDigest: digest, csrfToken: stored.csrfToken)
    }

    /// Ends the session the cookie names (sign-out).
    func end(cookie: String) async throws {
        try await store.endSession(cookieHash: Self.hash(cookie))
    }

    static func hash(_ cookie: String) -> String {
        Digest.hex(Digest.sha256(cookie))
    }
}
