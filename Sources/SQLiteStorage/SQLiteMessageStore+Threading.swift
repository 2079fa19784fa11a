import Foundation
import Conversations
import GRDB
import StoreSupport
import SwitchboardCore

extension SQLiteMessageStore {
    /// Finds the conversation an inbound message belongs to, and how, by ``ThreadingPolicy``: this store
    /// only answers the policy's questions, inside the caller's transaction.
    static func resolveThread(
        _ db: Database, _ inbound: InboundMessage
    ) throws -> ThreadingPolicy.Decision<ConversationRow> {
        try ThreadingPolicy.resolve(inbound, using: ThreadingLookupsInDatabase(db: db, inbound: inbound))
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
            // A notification's recipient is a target's name, which a webhook customer's id could equal.
            db.cachedStatement(sql: "SELECT COUNT(*) FROM outbox WHERE automatic = 1 AND recipient = ? AND created_at >= ? AND channel <> 'notification'"),
            arguments: [recipient, since.timeIntervalSince1970]) ?? 0
    }
}


/// The facts ``ThreadingPolicy`` asks for, read with the store's SQL in the transaction of `db`.
/// Lookups by message id stay within the message's source, so an id seen on one mailbox cannot pull mail
/// from another into its conversation.
struct ThreadingLookupsInDatabase: ThreadingLookups {
    let db: Database
    let inbound: InboundMessage

    private static let conversationCitingID = """
        SELECT \(SQLiteMessageStore.conversationRowColumns("c")) FROM message_ids m JOIN conversations c ON c.id = m.conversation_id
        WHERE m.source = ? AND m.message_id = ?
        """

    private static let appearsInMessages = """
        SELECT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = ?1
            AND (lower(m.sender) = ?2 OR EXISTS (SELECT 1 FROM json_each(m.recipients) r WHERE lower(r.value) = ?2)))
        """

    func conversation(_ candidate: ConversationRow) -> Conversation { candidate.conversation }

    func conversation(id: String) throws -> ConversationRow? {
        try SQLiteMessageStore.conversationRow(db, id: id)
    }

    func conversation(citing messageID: String) throws -> ConversationRow? {
        try ColumnCursor.first(
            db.cachedStatement(sql: Self.conversationCitingID), arguments: [inbound.source, messageID], SQLiteMessageStore.conversationRow(from:))
    }

    func appears(_ address: String, in candidate: ConversationRow) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: Self.appearsInMessages), arguments: [candidate.conversation.id, address]) ?? false
    }

    func openConversationOfSender() throws -> ConversationRow? {
        try SQLiteMessageStore.openConversation(db, channel: inbound.channel, source: inbound.source, customer: inbound.sender)
    }

    func latestClosedConversationOfSender() throws -> ConversationRow? {
        try SQLiteMessageStore.latestClosedConversation(db, channel: inbound.channel, source: inbound.source, customer: inbound.sender)
    }
}
