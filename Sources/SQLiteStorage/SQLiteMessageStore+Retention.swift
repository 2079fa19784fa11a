import Foundation
import GRDB
import StoreSupport
import SwitchboardCore

extension SQLiteMessageStore {
    /// Rows removed per transaction: short enough that intake never waits long behind a purge.
    static let purgeChunk = 500

    public func recordAccess(_ record: AccessRecord) async throws {
        try await pool.write { db in
            try db.cachedStatement(sql: "INSERT INTO access_log (at, actor, method, path, status, client) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(arguments: [record.at.timeIntervalSince1970, record.actor, record.method, record.path, record.status, record.client])
        }
    }

    public func checkReady() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
    }

    public func purge(before: Date, accessLogBefore: Date, uploadsBefore: Date) async throws -> PurgeCounts {
        var counts = PurgeCounts()
        let cutoff = before.timeIntervalSince1970
        // Each step repeats in chunks until nothing is left to remove.
        func repeatChunks(_ step: @escaping @Sendable (Database) throws -> Int) async throws -> Int {
            var total = 0
            while true {
                let removed = try await pool.write { db in try step(db) }
                total += removed
                if removed < Self.purgeChunk { return total }
            }
        }
        counts.events = try await repeatChunks { db in
            try db.execute(sql: "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE at < ? LIMIT ?)", arguments: [cutoff, Self.purgeChunk])
            return db.changesCount
        }
        counts.outboxEntries = try await repeatChunks { db in
            let ids = try String.fetchAll(
                db,
                sql: """
                    SELECT id FROM outbox WHERE created_at < ?
                        AND status IN ('delivered', 'failed', 'dead_lettered', 'cancelled', 'rejected', 'expired') LIMIT ?
                    """,
                arguments: [cutoff, Self.purgeChunk])
            guard !ids.isEmpty else { return 0 }
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            // The files a purged reply carried are let go; the uploads themselves go below once nothing refers to them.
            try db.execute(sql: "DELETE FROM outbox_attachments WHERE outbox_id IN (\(marks))", arguments: StatementArguments(ids))
            try db.execute(sql: "DELETE FROM outbox WHERE id IN (\(marks))", arguments: StatementArguments(ids))
            return ids.count
        }
        counts.messages = try await repeatChunks { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM messages WHERE received_at < ? LIMIT ?", arguments: [cutoff, Self.purgeChunk])
            guard !ids.isEmpty else { return 0 }
            // One pass over message_ids per chunk (it is keyed by message id, not by the stored message).
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            try db.execute(
                sql: "DELETE FROM message_ids WHERE subject_kind = 'message' AND subject_id IN (\(marks))", arguments: StatementArguments(ids))
            try Self.purgeAttachments(db, messageIDs: ids)
            try db.execute(sql: "DELETE FROM messages WHERE id IN (\(marks))", arguments: StatementArguments(ids))
            return ids.count
        }
        counts.conversations = try await repeatChunks { db in
            // Only conversations left empty: a reply still pending, or a newer message, keeps one.
            let ids = try String.fetchAll(
                db,
                sql: """
                    SELECT c.id FROM conversations c WHERE c.updated_at < ?
                    AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
                    AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.conversation_id = c.id)
                    LIMIT ?
                    """,
                arguments: [cutoff, Self.purgeChunk])
            for id in ids {
                try db.execute(sql: "DELETE FROM message_ids WHERE conversation_id = ?", arguments: [id])
                // Its clock logs and the answers kept for retried actions go with it.
                try db.execute(sql: "DELETE FROM clock_events WHERE conversation_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM clock_timers WHERE conversation_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM lifecycle_requests WHERE conversation_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM surveys WHERE conversation_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM conversations WHERE id = ?", arguments: [id])
            }
            return ids.count
        }
        // Uploads no remaining reply carries, after their grace for a draft being written, then every file's
        // bytes that no message or upload refers to any more.
        let uploadCutoff = uploadsBefore.timeIntervalSince1970
        counts.attachments = try await repeatChunks { db in
            try db.execute(
                sql: """
                    DELETE FROM attachments WHERE id IN (
                        SELECT a.id FROM attachments a WHERE a.message_id IS NULL AND a.created_at < ?
                        AND NOT EXISTS (SELECT 1 FROM outbox_attachments o WHERE o.attachment_id = a.id) LIMIT ?)
                    """,
                arguments: [uploadCutoff, Self.purgeChunk])
            return db.changesCount
        }
        counts.attachmentBlobs = try await repeatChunks { db in
            try db.execute(
                sql: """
                    DELETE FROM attachment_blobs WHERE sha256 IN (
                        SELECT b.sha256 FROM attachment_blobs b
                        WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = b.sha256) LIMIT ?)
                    """,
                arguments: [Self.purgeChunk])
            return db.changesCount
        }
        counts.accessRecords = try await repeatChunks { db in
            try db.execute(
                sql: "DELETE FROM access_log WHERE seq IN (SELECT seq FROM access_log WHERE at < ? LIMIT ?)",
                arguments: [accessLogBefore.timeIntervalSince1970, Self.purgeChunk])
            return db.changesCount
        }
        return counts
    }
}
