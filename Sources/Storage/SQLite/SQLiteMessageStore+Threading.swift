import Foundation
import GRDB
import SwitchboardCore

extension SQLiteMessageStore {
    /// Finds the conversation an inbound message belongs to, and how. Closed conversations are never
    /// joined: a reply to one starts a new conversation, as agents expect of a closed case.
    ///
    /// In-Reply-To and References are only believed from a participant of the conversation they cite
    /// (see ``isParticipant(_:_:of:)``): anyone can copy a Message-ID into a header, and mail from a
    /// stranger must not land in a customer's case. A conversation they would have joined but for that
    /// is reported in `refused`, and the message threads on as if the header were absent (by sender,
    /// or new). The signed token needs no such check: only our own mail carries it.
    static func resolveThread(
        _ db: Database, _ inbound: InboundMessage
    ) throws -> (row: ConversationRow?, strategy: ThreadingStrategy, refused: ThreadingStrategy?) {
        if let id = inbound.thread.verifiedConversationID,
           let row = try conversationRow(db, id: id),
           row.conversation.channel == inbound.channel, row.conversation.state != .closed {
            return (row, .token, nil)
        }
        var refused: ThreadingStrategy?
        let inReplyTo = try conversationCiting(db, inbound.thread.inReplyTo, source: inbound.source, sender: inbound.sender)
        if let conversation = inReplyTo.joinable { return (conversation, .inReplyTo, nil) }
        if inReplyTo.refused { refused = .inReplyTo }
        // The newest reference is the likeliest to be ours when a client trimmed In-Reply-To.
        let references = try conversationCiting(db, inbound.thread.references.reversed(), source: inbound.source, sender: inbound.sender)
        if let conversation = references.joinable { return (conversation, .references, nil) }
        if references.refused, refused == nil { refused = .references }
        if let conversation = try openConversation(db, channel: inbound.channel, source: inbound.source, customer: inbound.sender) {
            return (conversation, .sender, refused)
        }
        return (nil, .new, refused)
    }

    private static let conversationCitingID = """
        SELECT \(conversationRowColumns("c")) FROM message_ids m JOIN conversations c ON c.id = m.conversation_id
        WHERE m.source = ? AND m.message_id = ? AND c.state != 'closed'
        """

    /// The first open conversation that holds a message with one of these ids and has `sender` among
    /// its participants, and whether a cited conversation was passed over because it did not. Lookups
    /// stay within the source, so an id seen on one mailbox cannot pull mail from another into its
    /// conversation.
    private static func conversationCiting(
        _ db: Database, _ ids: some Sequence<String>, source: String, sender: String
    ) throws -> (joinable: ConversationRow?, refused: Bool) {
        var refused = false
        for id in ids.prefix(50) {
            guard let conversation = try ColumnCursor.first(
                db.cachedStatement(sql: conversationCitingID), arguments: [source, id], conversationRow(from:))
            else { continue }
            if try isParticipant(db, sender, of: conversation.conversation) { return (conversation, refused) }
            refused = true
        }
        return (nil, refused)
    }

    private static let participantInMessages = """
        SELECT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = ?1
            AND (lower(m.sender) = ?2 OR EXISTS (SELECT 1 FROM json_each(m.recipients) r WHERE lower(r.value) = ?2)))
        """

    /// Whether `address` takes part in the conversation: it is the customer's, or it sent or was sent
    /// (To, Cc) one of the conversation's messages. Addresses compare without regard to case.
    static func isParticipant(_ db: Database, _ address: String, of conversation: Conversation) throws -> Bool {
        let address = address.lowercased()
        if conversation.customerAddress.lowercased() == address { return true }
        return try Bool.fetchOne(db.cachedStatement(sql: participantInMessages), arguments: [conversation.id, address]) ?? false
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
}

/// The per-message details kept as JSON beside the message's columns.
struct StoredMessageMetadata: Codable {
    var thread: ThreadHints
    var attachments: [MessageAttachment]
    var warnings: [String]
}
