import Digests
import Foundation
import Synchronization

/// The console's sign-ins: a browser trades an API token once for a session, held here and named by a
/// random cookie, so the token itself never stays in the browser.
///
/// Sessions are kept in this gateway's memory and keyed by the SHA-256 of their cookie, so neither a
/// memory dump nor a log holds a usable one. A session ends after `idleTimeout` without a request, on
/// sign-out, or when the token it was opened with is removed or expires (each request finds the token
/// again). Behind a load balancer, route a browser to one gateway (sticky sessions); a session opened
/// on one gateway is unknown to the others.
public final class ConsoleSessions: Sendable {
    /// A signed-in browser.
    struct Session: Sendable {
        /// The SHA-256 of the token it was opened with: the token in force with this digest is the caller.
        var tokenDigest: [UInt8]
        /// Sent back with every state-changing request (`X-CSRF-Token`); another site's page cannot read it.
        var csrfToken: String
        var lastSeen: Date
    }

    /// The cookie that names a session.
    public static let cookieName = "switchboard_session"

    public let idleTimeout: TimeInterval
    /// Most sessions held at once; opening one more ends the longest idle.
    public let capacity: Int
    private let sessions = Mutex<[String: Session]>([:])

    public init(idleTimeout: TimeInterval = 8 * 3600, capacity: Int = 10_000) {
        self.idleTimeout = idleTimeout
        self.capacity = capacity
    }

    /// Opens a session for `token`: the cookie's value and the session's CSRF token.
    func open(for token: AccessToken, now: Date) -> (cookie: String, csrfToken: String) {
        let cookie = AccessToken.generateSecret()
        let csrf = AccessToken.generateSecret()
        let key = Self.key(cookie)
        sessions.withLock { sessions in
            sessions = sessions.filter { now.timeIntervalSince($0.value.lastSeen) < idleTimeout }
            if sessions.count >= capacity, let idlest = sessions.min(by: { $0.value.lastSeen < $1.value.lastSeen })?.key {
                sessions[idlest] = nil
            }
            sessions[key] = Session(tokenDigest: token.digest, csrfToken: csrf, lastSeen: now)
        }
        return (cookie, csrf)
    }

    /// The live session the cookie names, its idle clock restarted; nil for an unknown or idle-expired one.
    func session(cookie: String, now: Date) -> Session? {
        let key = Self.key(cookie)
        return sessions.withLock { sessions in
            guard var session = sessions[key] else { return nil }
            guard now.timeIntervalSince(session.lastSeen) < idleTimeout else {
                sessions[key] = nil
                return nil
            }
            session.lastSeen = now
            sessions[key] = session
            return session
        }
    }

    /// Ends the session the cookie names (sign-out).
    func end(cookie: String) {
        let key = Self.key(cookie)
        _ = sessions.withLock { $0.removeValue(forKey: key) }
    }

    /// How many sessions are held, idle ones not yet swept included.
    public var count: Int { sessions.withLock { $0.count } }

    private static func key(_ cookie: String) -> String {
        Digest.hex(Digest.sha256(cookie))
    }
}
