import Foundation
import GRDB
import SwitchboardCore

extension SQLiteMessageStore {
    /// Finds the conversation an inbound message belongs to, and how. Closed conversations are never
    /// joined: a reply to one starts a new conversation, as agents expect of a closed case.
    static func resolveThread(_ db: Database, _ inbound: InboundMessage) throws -> (ConversationRow?, ThreadingStrategy) {
        if let id = inbound.thread.verifiedConversationID,
           let row = try conversationRow(db, id: id),
           row.conversation.channel == inbound.channel, row.conversation.state != .closed {
            return (row, .token)
        }
        if let conversation = try conversationCiting(db, inbound.thread.inReplyTo, source: inbound.source) {
            return (conversation, .inReplyTo)
        }
        // The newest reference is the likeliest to be ours when a client trimmed In-Reply-To.
        if let conversation = try conversationCiting(db, inbound.thread.references.reversed(), source: inbound.source) {
            return (conversation, .references)
        }
        if let conversation = try openConversation(db, channel: inbound.channel, source: inbound.source, customer: inbound.sender) {
            return (conversation, .sender)
        }
        return (nil, .new)
    }

    private static let conversationCitingID = """
        SELECT \(conversationRowColumns("c")) FROM message_ids m JOIN conversations c ON c.id = m.conversation_id
        WHERE m.source = ? AND m.message_id = ? AND c.state != 'closed'
        """

    /// The first open conversation that holds a message with one of these ids. Lookups stay within the
    /// source, so an id seen on one mailbox cannot pull mail from another into its conversation.
    private static func conversationCiting(_ db: Database, _ ids: some Sequence<String>, source: String) throws -> ConversationRow? {
        for id in ids.prefix(50) {
            if let conversation = try ColumnCursor.first(
                db.cachedStatement(sql: conversationCitingID), arguments: [source, id], conversationRow(from:)) {
                return conversation
            }
        }
        return nil
    }

    /// Remembers a channel message id; the first message to use an id keeps it.
    static func recordMessageID(
        _ db: Database, _ messageID: String, source: String, conversationID: String, subjectKind: String, subjectID: String
    ) throws {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO message_ids (source, message_id, conversation_id, subject_kind, subject_id)
                VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [source, messageID, conversationID, subjectKind, subjectID])
    }

    /// Moves a stream's cursor forward; a new validity replaces the old numbering outright.
    static func advanceCursor(_ db: Database, _ cursor: IntakeCursor, at now: Date) throws {
        try db.execute(
            sql: """
                INSERT INTO intake_cursors (source, stream, validity, position, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (source, stream) DO UPDATE SET
                    position = CASE WHEN validity = excluded.validity THEN MAX(position, excluded.position) ELSE excluded.position END,
                    validity = excluded.validity,
                    updated_at = excluded.updated_at
                """,
            arguments: [cursor.source, cursor.stream, cursor.validity, cursor.position, now.timeIntervalSince1970])
    }

    public func intakeCursor(source: String, stream: String) async throws -> IntakeCursor? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT validity, position FROM intake_cursors WHERE source = ? AND stream = ?",
                arguments: [source, stream]
            ).map { IntakeCursor(source: source, stream: stream, validity: $0["validity"], position: $0["position"]) }
        }
    }

    public func automaticReplyCount(recipient: String, since: Date) async throws -> Int {
        try await pool.read { db in try Self.automaticReplyCount(db, recipient: recipient, since: since) }
    }

    static func automaticReplyCount(_ db: Database, recipient: String, since: Date) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT COUNT(*) FROM outbox WHERE automatic = 1 AND recipient = ? AND created_at >= ?"),
            arguments: [recipient, since.timeIntervalSince1970]) ?? 0
    }

    public func latestInboundMessage(conversationID: String) async throws -> Message? {
        try await pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM messages WHERE conversation_id = ? AND direction = 'inbound'
                    ORDER BY received_at DESC, id DESC LIMIT 1
                    """,
                arguments: [conversationID]
            ).map(Self.message(from:))
        }
    }
}

/// The per-message details kept as JSON beside the message's columns.
struct StoredMessageMetadata: Codable {
    var thread: ThreadHints
    var attachments: [MessageAttachment]
    var warnings: [String]
}
