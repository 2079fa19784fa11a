import Foundation
import PostgresNIO
import SwitchboardCore

/// Console sessions: single statements, each atomic on its own; `writeLocking` keeps them clear of the
/// serializable retries that intake's transactions need.
extension PostgresMessageStore: SessionStore {
    public func openSession(_ session: ConsoleSession, endingIdleBefore idleBefore: Date) async throws {
        try await writeLocking { db in
            try await db.execute("DELETE FROM console_sessions WHERE last_seen_at < \(idleBefore.timeIntervalSince1970)")
            try await db.execute("""
                INSERT INTO console_sessions (cookie_hash, token_digest, csrf_token, opened_at, last_seen_at)
                VALUES (\(session.cookieHash), \(session.tokenDigest), \(session.csrfToken), \(session.openedAt.timeIntervalSince1970),
                    \(session.lastSeenAt.timeIntervalSince1970))
                """)
        }
    }

    public func session(cookieHash: String) async throws -> ConsoleSession? {
        try await read { db in
            try await db.rows("SELECT * FROM console_sessions WHERE cookie_hash = \(cookieHash)").first.map { row in
                ConsoleSession(
                    cookieHash: try row["cookie_hash"], tokenDigest: try row["token_digest"], csrfToken: try row["csrf_token"],
                    openedAt: try row.date("opened_at") ?? Date(timeIntervalSince1970: 0),
                    lastSeenAt: try row.date("last_seen_at") ?? Date(timeIntervalSince1970: 0))
            }
        }
    }

    public func touchSession(cookieHash: String, at: Date) async throws {
        try await writeLocking { db in
            try await db.execute("""
                UPDATE console_sessions SET last_seen_at = GREATEST(last_seen_at, \(at.timeIntervalSince1970)) WHERE cookie_hash = \(cookieHash)
                """)
        }
    }

    public func endSession(cookieHash: String) async throws {
        try await writeLocking { db in
            try await db.execute("DELETE FROM console_sessions WHERE cookie_hash = \(cookieHash)")
        }
    }
}
