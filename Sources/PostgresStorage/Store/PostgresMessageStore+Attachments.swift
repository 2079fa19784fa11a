import Attachments
import Foundation
import PostgresNIO
import StoreSupport
import SwitchboardCore

extension PostgresMessageStore {
    public func attachment(id: String) async throws -> StoredAttachment? {
        try await read { db in
            guard let row = try await db.first("""
                SELECT a.*, b.content FROM attachments a JOIN attachment_blobs b ON b.sha256 = a.sha256 WHERE a.id = \(id)
                """)
            else { return nil }
            var conversation: Conversation?
            if let conversationID = try row["conversation_id"] as String? {
                conversation = try await Self.conversation(db, id: conversationID)
            }
            var attachment = try Self.attachment(from: row)
            attachment.content = try row.data("content")
            return StoredAttachment(attachment: attachment, conversation: conversation, uploadedBy: try row["uploaded_by"])
        }
    }

    public func storeUpload(_ attachment: MessageAttachment, uploadedBy: String, at now: Date) async throws -> MessageAttachment {
        guard attachment.content != nil else { throw SwitchboardError(.invalidAttachment, "an upload needs its bytes") }
        let kept = KeptFile.prepare(attachment, at: now)
        try await write { db in
            try await Self.keep(db, kept, messageID: nil, conversationID: nil, uploadedBy: uploadedBy, at: now)
        }
        var answer = kept
        answer.content = nil
        return answer
    }

    /// Keeps one prepared file (``KeptFile/prepare(_:at:)``) inside the caller's transaction: its bytes
    /// once by hash, and its row.
    static func keep(
        _ db: PostgresTransaction, _ attachment: MessageAttachment, messageID: String?, conversationID: String?, uploadedBy: String?,
        at now: Date
    ) async throws {
        guard let id = attachment.id, let sha256 = attachment.sha256, let content = attachment.content else { return }
        try await db.execute("""
            INSERT INTO attachment_blobs (sha256, size, content) VALUES (\(sha256), \(content.count), \(content.bytea))
            ON CONFLICT (sha256) DO NOTHING
            """)
        try await db.execute("""
            INSERT INTO attachments (id, sha256, message_id, conversation_id, uploaded_by, filename, declared_type, detected_type,
                size, inline, content_id, created_at)
            VALUES (\(id), \(sha256), \(messageID), \(conversationID), \(uploadedBy), \(attachment.name), \(attachment.contentType),
                \(attachment.detectedType ?? "unknown"), \(content.count), \(attachment.inline), \(attachment.contentID),
                \(now.timeIntervalSince1970))
            """)
    }

    /// Ties an agent's uploads to a reply in the caller's transaction, in order. Each must be an upload
    /// (a customer's file is not sent back through this) that no other conversation's reply took.
    @discardableResult
    static func attach(
        _ db: PostgresTransaction, _ ids: [String], toReply outboxID: String, conversationID: String
    ) async throws -> [MessageAttachment] {
        var attached: [MessageAttachment] = []
        for (position, id) in ids.enumerated() {
            guard let row = try await db.first("SELECT * FROM attachments WHERE id = \(id)"), (try row["uploaded_by"] as String?) != nil
            else {
                throw SwitchboardError(.invalidAttachment, "attachment '\(id.prefix(64))' is not an upload (POST /v1/attachments)")
            }
            if let owner = try row["conversation_id"] as String?, owner != conversationID {
                throw SwitchboardError(.invalidAttachment, "attachment '\(id.prefix(64))' already belongs to another conversation")
            }
            try await db.execute("UPDATE attachments SET conversation_id = \(conversationID) WHERE id = \(id)")
            try await db.execute(
                "INSERT INTO outbox_attachments (outbox_id, position, attachment_id) VALUES (\(outboxID), \(position), \(id))")
            attached.append(try Self.attachment(from: row))
        }
        return attached
    }

    /// The entries with the files each carries listed (without bytes), in one read for all of them.
    static func listingFiles(_ db: PostgresTransaction, _ entries: [OutboxEntry]) async throws -> [OutboxEntry] {
        let ids = entries.filter { !$0.automatic }.map(\.id)
        guard !ids.isEmpty else { return entries }
        var files: [String: [MessageAttachment]] = [:]
        for row in try await db.rows("""
            SELECT o.outbox_id, a.* FROM outbox_attachments o JOIN attachments a ON a.id = o.attachment_id
            WHERE o.outbox_id = ANY(\(ids)) ORDER BY o.outbox_id COLLATE "C", o.position
            """)
        {
            files[try row["outbox_id"], default: []].append(try Self.attachment(from: row))
        }
        guard !files.isEmpty else { return entries }
        return entries.map { entry in
            var listed = entry
            listed.attachments = files[entry.id]
            return listed
        }
    }

    /// A reply's files with their bytes, in order.
    static func replyAttachments(_ db: PostgresTransaction, outboxID: String) async throws -> [MessageAttachment] {
        try await db.rows("""
            SELECT a.*, b.content FROM outbox_attachments o JOIN attachments a ON a.id = o.attachment_id
            JOIN attachment_blobs b ON b.sha256 = a.sha256 WHERE o.outbox_id = \(outboxID) ORDER BY o.position
            """
        ).map { row in
            var attachment = try Self.attachment(from: row)
            attachment.content = try row.data("content")
            return attachment
        }
    }

    static func attachment(from row: PostgresTransaction.Row) throws -> MessageAttachment {
        MessageAttachment(
            id: try row["id"], name: try row["filename"], contentType: try row["declared_type"], size: try row["size"],
            inline: try row["inline"], contentID: try row["content_id"], sha256: try row["sha256"], detectedType: try row["detected_type"])
    }

    /// Removes, inside the caller's transaction, the file rows of the given messages; their bytes go with
    /// the purge of unreferenced blobs.
    static func purgeAttachments(_ db: PostgresTransaction, messageIDs: [String]) async throws {
        guard !messageIDs.isEmpty else { return }
        try await db.execute("DELETE FROM attachments WHERE message_id = ANY(\(messageIDs))")
    }
}
