import Foundation
import PostgresNIO
import StoreSupport
import SwitchboardCore

extension PostgresMessageStore {
    /// Rows removed per transaction: short enough that intake never waits long behind a purge.
    static let purgeChunk = 500

    public func recordAccess(_ record: AccessRecord) async throws {
        try await write { db -> Void in
            try await db.execute("""
                INSERT INTO access_log (at, actor, method, path, status, client)
                VALUES (\(record.at.timeIntervalSince1970), \(record.actor), \(record.method), \(record.path), \(record.status), \(record.client))
                """)
        }
    }

    public func checkReady() async throws {
        // Through the same pool and the same bounded wait as every request, so "ready" means a request would
        // get a connection now.
        _ = try await read { db in try await db.first("SELECT 1") }
    }

    public func purge(before: Date, accessLogBefore: Date, uploadsBefore: Date) async throws -> PurgeCounts {
        var counts = PurgeCounts()
        let cutoff = before.timeIntervalSince1970
        let chunk = Self.purgeChunk
        // Each step repeats in chunks until nothing is left to remove.
        func repeatChunks(_ step: (PostgresTransaction) async throws -> Int) async throws -> Int {
            var total = 0
            while true {
                let removed = try await write { db in try await step(db) }
                total += removed
                if removed < chunk { return total }
            }
        }
        counts.events = try await repeatChunks { db in
            try await db.execute("DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE at < \(cutoff) LIMIT \(chunk))")
        }
        counts.outboxEntries = try await repeatChunks { db in
            let ids = try await db.column(
                """
                SELECT id FROM outbox WHERE created_at < \(cutoff)
                    AND status IN ('delivered', 'failed', 'dead_lettered', 'cancelled', 'rejected', 'expired') LIMIT \(chunk)
                """, as: String.self)
            guard !ids.isEmpty else { return 0 }
            // The files a purged reply carried are let go; the uploads themselves go below once nothing refers to them.
            try await db.execute("DELETE FROM outbox_attachments WHERE outbox_id = ANY(\(ids))")
            try await db.execute("DELETE FROM outbox WHERE id = ANY(\(ids))")
            return ids.count
        }
        counts.messages = try await repeatChunks { db in
            let ids = try await db.column("SELECT id FROM messages WHERE received_at < \(cutoff) LIMIT \(chunk)", as: String.self)
            guard !ids.isEmpty else { return 0 }
            // One pass over message_ids per chunk (it is keyed by message id, not by the stored message).
            try await db.execute("DELETE FROM message_ids WHERE subject_kind = 'message' AND subject_id = ANY(\(ids))")
            try await Self.purgeAttachments(db, messageIDs: ids)
            try await db.execute("DELETE FROM messages WHERE id = ANY(\(ids))")
            return ids.count
        }
        counts.conversations = try await repeatChunks { db in
            // Only conversations left empty: a reply still pending, or a newer message, keeps one.
            let ids = try await db.column(
                """
                SELECT c.id FROM conversations c WHERE c.updated_at < \(cutoff)
                AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
                AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.conversation_id = c.id)
                LIMIT \(chunk)
                """, as: String.self)
            guard !ids.isEmpty else { return 0 }
            // Its clock logs and the answers kept for retried actions go with it.
            try await db.execute("DELETE FROM message_ids WHERE conversation_id = ANY(\(ids))")
            try await db.execute("DELETE FROM clock_events WHERE conversation_id = ANY(\(ids))")
            try await db.execute("DELETE FROM clock_timers WHERE conversation_id = ANY(\(ids))")
            try await db.execute("DELETE FROM lifecycle_requests WHERE conversation_id = ANY(\(ids))")
            try await db.execute("DELETE FROM surveys WHERE conversation_id = ANY(\(ids))")
            try await db.execute("DELETE FROM conversations WHERE id = ANY(\(ids))")
            return ids.count
        }
        // Uploads no remaining reply carries, after their grace for a draft being written, then every file's
        // bytes that no message or upload refers to any more.
        let uploadCutoff = uploadsBefore.timeIntervalSince1970
        counts.attachments = try await repeatChunks { db in
            try await db.execute("""
                DELETE FROM attachments WHERE id IN (
                    SELECT a.id FROM attachments a WHERE a.message_id IS NULL AND a.created_at < \(uploadCutoff)
                    AND NOT EXISTS (SELECT 1 FROM outbox_attachments o WHERE o.attachment_id = a.id) LIMIT \(chunk))
                """)
        }
        counts.attachmentBlobs = try await repeatChunks { db in
            try await db.execute("""
                DELETE FROM attachment_blobs WHERE sha256 IN (
                    SELECT b.sha256 FROM attachment_blobs b
                    WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = b.sha256) LIMIT \(chunk))
                """)
        }
        counts.accessRecords = try await repeatChunks { db in
            try await db.execute("""
                DELETE FROM access_log WHERE seq IN (SELECT seq FROM access_log WHERE at < \(accessLogBefore.timeIntervalSince1970) LIMIT \(chunk))
                """)
        }
        return counts
    }
}
