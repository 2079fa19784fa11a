import Foundation
import GRDB
import SwitchboardCore

extension SQLiteMessageStore {
    public func auditEvents(after sequence: Int64, limit: Int) async throws -> [FeedEvent] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.*, c.queue AS conversation_queue, c.source AS conversation_source
                    FROM events e LEFT JOIN conversations c ON c.id = e.conversation_id
                    WHERE e.seq > ? ORDER BY e.seq LIMIT ?
                    """,
                arguments: [sequence, limit]
            ).map { row in
                FeedEvent(
                    sequence: row["seq"], event: Self.event(from: row), queue: row["conversation_queue"], source: row["conversation_source"])
            }
        }
    }

    public func latestAuditSequence() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") ?? 0 }
    }
}
