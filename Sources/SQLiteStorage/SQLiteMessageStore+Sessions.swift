import Foundation
import GRDB
import SwitchboardCore

extension SQLiteMessageStore {
    public func openSession(_ session: ConsoleSession, endingIdleBefore idleBefore: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM console_sessions WHERE last_seen_at < ?", arguments: [idleBefore.timeIntervalSince1970])
            try db.execute(
                sql: "INSERT INTO console_sessions (cookie_hash, token_digest, csrf_token, opened_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    session.cookieHash, session.tokenDigest, session.csrfToken, session.openedAt.timeIntervalSince1970,
                    session.lastSeenAt.timeIntervalSince1970,
                ])
        }
    }

    public func session(cookieHash: String) async throws -> ConsoleSession? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM console_sessions WHERE cookie_hash = ?", arguments: [cookieHash]).map { row in
                ConsoleSession(
                    cookieHash: row["cookie_hash"], tokenDigest: row["token_digest"], csrfToken: row["csrf_token"],
                    openedAt: Date(timeIntervalSince1970: row["opened_at"]), lastSeenAt: Date(timeIntervalSince1970: row["last_seen_at"]))
            }
        }
    }

    public func touchSession(cookieHash: String, at: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE console_sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE cookie_hash = ?",
                arguments: [at.timeIntervalSince1970, cookieHash])
        }
    }

    public func endSession(cookieHash: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM console_sessions WHERE cookie_hash = ?", arguments: [cookieHash])
        }
    }
}
