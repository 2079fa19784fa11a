import Attachments
import Foundation
import GRDB
import StoreSupport
import SwitchboardCore

extension SQLiteMessageStore {
    public func attachment(id: String) async throws -> StoredAttachment? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT a.*, b.content FROM attachments a JOIN attachment_blobs b ON b.sha256 = a.sha256 WHERE a.id = ?
                    """,
                arguments: [id])
            else { return nil }
            let conversation = try (row["conversation_id"] as String?).flatMap { try Self.conversation(db, id: $0) }
            var attachment = Self.attachment(from: row)
            attachment.content = row["content"]
            return StoredAttachment(attachment: attachment, conversation: conversation, uploadedBy: row["uploaded_by"])
        }
    }

    public func storeUpload(_ attachment: MessageAttachment, uploadedBy: String, at now: Date) async throws -> MessageAttachment {
        guard attachment.content != nil else { throw SwitchboardError(.invalidAttachment, "an upload needs its bytes") }
        let kept = KeptFile.prepare(attachment, at: now)
        try await pool.write { db in
            try Self.keep(db, kept, messageID: nil, conversationID: nil, uploadedBy: uploadedBy, at: now)
        }
        var answer = kept
        answer.content = nil
        return answer
    }

    /// Keeps one prepared file (``KeptFile/prepare(_:at:)``) inside the caller's transaction: its bytes
    /// once by hash, and its row.
    static func keep(
        _ db: Database, _ attachment: MessageAttachment, messageID: String?, conversationID: String?, uploadedBy: String?, at now: Date
    ) throws {
        guard let id = attachment.id, let sha256 = attachment.sha256, let content = attachment.content else { return }
        try db.cachedStatement(sql: "INSERT INTO attachment_blobs (sha256, size, content) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING")
            .execute(arguments: [sha256, content.count, content])
        try db.cachedStatement(sql: """
            INSERT INTO attachments (id, sha256, message_id, conversation_id, uploaded_by, filename, declared_type, detected_type,
                size, inline, content_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                id, sha256, messageID, conversationID, uploadedBy, attachment.name, attachment.contentType,
                attachment.detectedType ?? "unknown", content.count, attachment.inline, attachment.contentID, now.timeIntervalSince1970,
            ])
    }

    /// Ties an agent's uploads to a reply in the caller's transaction, in order. Each must be an upload
    /// (a customer's file is not sent back through this) that no other conversation's reply took.
    @discardableResult
    static func attach(_ db: Database, _ ids: [String], toReply outboxID: String, conversationID: String) throws -> [MessageAttachment] {
        var attached: [MessageAttachment] = []
        for (position, id) in ids.enumerated() {
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM attachments WHERE id = ?"), arguments: [id]),
                (row["uploaded_by"] as String?) != nil
            else {
                throw SwitchboardError(.invalidAttachment, "attachment '\(id.prefix(64))' is not an upload (POST /v1/attachments)")
            }
            if let owner = row["conversation_id"] as String?, owner != conversationID {
                throw SwitchboardError(.invalidAttachment, "attachment '\(id.prefix(64))' already belongs to another conversation")
            }
            try db.cachedStatement(sql: "UPDATE attachments SET conversation_id = ? WHERE id = ?").execute(arguments: [conversationID, id])
            try db.cachedStatement(sql: "INSERT INTO outbox_attachments (outbox_id, position, attachment_id) VALUES (?, ?, ?)")
                .execute(arguments: [outboxID, position, id])
            attached.append(Self.attachment(from: row))
        }
        return attached
    }

    /// The entries with the files each carries listed (without bytes), in one read for all of them.
    static func listingFiles(_ db: Database, _ entries: [OutboxEntry]) throws -> [OutboxEntry] {
        let ids = entries.filter { !$0.automatic }.map(\.id)
        guard !ids.isEmpty else { return entries }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        var files: [String: [MessageAttachment]] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT o.outbox_id, a.* FROM outbox_attachments o JOIN attachments a ON a.id = o.attachment_id
                WHERE o.outbox_id IN (\(marks)) ORDER BY o.outbox_id, o.position
                """,
            arguments: StatementArguments(ids))
        {
            files[row["outbox_id"], default: []].append(Self.attachment(from: row))
        }
        guard !files.isEmpty else { return entries }
        return entries.map { entry in
            var listed = entry
            listed.attachments = files[entry.id]
            return listed
        }
    }

    /// A reply's files with their bytes, in order.
    static func replyAttachments(_ db: Database, outboxID: String) throws -> [MessageAttachment] {
        try Row.fetchAll(
            db.cachedStatement(sql: """
                SELECT a.*, b.content FROM outbox_attachments o JOIN attachments a ON a.id = o.attachment_id
                JOIN attachment_blobs b ON b.sha256 = a.sha256 WHERE o.outbox_id = ? ORDER BY o.position
                """),
            arguments: [outboxID]
        ).map { row in
            var attachment = Self.attachment(from: row)
            attachment.content = row["content"]
            return attachment
        }
    }

    static func attachment(from row: Row) -> MessageAttachment {
        MessageAttachment(
            id: row["id"], name: row["filename"], contentType: row["declared_type"], size: row["size"], inline: row["inline"],
            contentID: row["content_id"], sha256: row["sha256"], detectedType: row["detected_type"])
    }

    /// Removes, inside the caller's transaction, the file rows of the given messages; their bytes go with
    /// ``purgeUnreferencedBlobs(_:)``.
    static func purgeAttachments(_ db: Database, messageIDs: [String]) throws {
        guard !messageIDs.isEmpty else { return }
        let marks = Array(repeating: "?", count: messageIDs.count).joined(separator: ", ")
        try db.execute(sql: "DELETE FROM attachments WHERE message_id IN (\(marks))", arguments: StatementArguments(messageIDs))
    }
}
