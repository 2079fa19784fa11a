import Foundation
import PostgresNIO
import SwitchboardCore

extension PostgresMessageStore {
    /// Sequence numbers are taken when a transaction inserts, not when it commits, so a later number can
    /// become visible before an earlier one; the live feed reads back over a window of recent numbers for that.
    public func auditEvents(after sequence: Int64, limit: Int) async throws -> [FeedEvent] {
        try await read { db in
            try await db.rows("""
                SELECT e.*, c.queue AS conversation_queue, c.source AS conversation_source
                FROM events e LEFT JOIN conversations c ON c.id = e.conversation_id
                WHERE e.seq > \(sequence) ORDER BY e.seq LIMIT \(limit)
                """
            ).map { row in
                FeedEvent(
                    sequence: try row["seq"], event: try Self.event(from: row), queue: try row["conversation_queue"],
                    source: try row["conversation_source"])
            }
        }
    }

    public func latestAuditSequence() async throws -> Int64 {
        try await read { db in
            let rows = try await db.rows("SELECT COALESCE(MAX(seq), 0)::bigint AS latest FROM events")
            return try rows.first?["latest"] ?? 0
        }
    }
}
