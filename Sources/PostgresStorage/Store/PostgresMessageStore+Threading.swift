import Conversations
import Foundation
import PostgresNIO
import StoreSupport
import SwitchboardCore

extension PostgresMessageStore {
    /// Finds the conversation an inbound message belongs to, and how, by ``ThreadingPolicy``: this store
    /// only answers the policy's questions, inside the caller's transaction.
    ///
    /// The policy asks synchronously and the database answers asynchronously, so the policy runs over the
    /// facts learnt so far; when it asks one not yet known, that one is looked up and the policy runs again.
    /// The policy is pure, so each run asks the same questions in the same order as the last. The sender's
    /// open and newest closed conversations come known, read with the duplicate check (``intakeLookup(_:_:)``).
    static func resolveThread(
        _ db: PostgresTransaction, _ inbound: InboundMessage, known: ThreadingFacts
    ) async throws -> ThreadingPolicy.Decision<ConversationRow> {
        var facts = known
        while true {
            do {
                return try ThreadingPolicy.resolve(inbound, using: ThreadingLookupsFromFacts(facts: facts))
            } catch let missing as ThreadingFacts.Missing {
                try await facts.learn(missing.fact, db, inbound)
            }
        }
    }

    /// A message stored already under the external id of one arriving again.
    struct StoredDuplicate {
        var messageID: String
        var conversationID: String
        var threadedBy: ThreadingStrategy
    }

    /// What intake needs to know of most messages before threading them, in one query instead of three: the
    /// message already stored under the same external id, and the sender's open and newest closed conversations
    /// on its channel and source (the policy's last two questions, and the only ones a message without thread
    /// headers is asked).
    static func intakeLookup(
        _ db: PostgresTransaction, _ inbound: InboundMessage
    ) async throws -> (duplicate: StoredDuplicate?, facts: ThreadingFacts) {
        var open: ConversationRow?, latestClosed: ConversationRow?
        var duplicate: StoredDuplicate?
        let statement = IntakeLookupStatement(
            channel: inbound.channel.rawValue, source: inbound.source, sender: inbound.sender, externalID: inbound.externalID)
        for row in try await db.rows(statement) {
            switch try row["found"] as String {
            case "open": open = try conversationRow(from: row)
            case "closed": latestClosed = try conversationRow(from: row)
            default:
                duplicate = StoredDuplicate(
                    messageID: try row["message_id"], conversationID: try row["id"],
                    threadedBy: (try row["message_threaded_by"] as String?).flatMap(ThreadingStrategy.init(rawValue:)) ?? .sender)
            }
        }
        return (duplicate, ThreadingFacts(open: open, latestClosed: latestClosed))
    }

    /// Remembers a channel message id; the first message to use an id keeps it.
    static func recordMessageID(
        _ db: PostgresTransaction, _ messageID: String, source: String, conversationID: String, subjectKind: String, subjectID: String
    ) async throws {
        try await db.execute("""
            INSERT INTO message_ids (source, message_id, conversation_id, subject_kind, subject_id)
            VALUES (\(source), \(messageID), \(conversationID), \(subjectKind), \(subjectID))
            ON CONFLICT DO NOTHING
            """)
    }

    /// Moves a stream's cursor forward; a new validity replaces the old numbering outright.
    static func advanceCursor(_ db: PostgresTransaction, _ cursor: IntakeCursor, at now: Date) async throws {
        try await db.execute("""
            INSERT INTO intake_cursors (source, stream, validity, position, updated_at)
            VALUES (\(cursor.source), \(cursor.stream), \(cursor.validity), \(cursor.position), \(now.timeIntervalSince1970))
            ON CONFLICT (source, stream) DO UPDATE SET
                position = CASE WHEN intake_cursors.validity = excluded.validity
                    THEN GREATEST(intake_cursors.position, excluded.position) ELSE excluded.position END,
                validity = excluded.validity,
                updated_at = excluded.updated_at
            """)
    }

    public func intakeCursor(source: String, stream: String) async throws -> IntakeCursor? {
        try await read { db in
            try await db.first("SELECT validity, position FROM intake_cursors WHERE source = \(source) AND stream = \(stream)")
                .map { IntakeCursor(source: source, stream: stream, validity: try $0["validity"], position: try $0["position"]) }
        }
    }

    public func automaticReplyCount(recipient: String, since: Date) async throws -> Int {
        try await read { db in try await Self.automaticReplyCount(db, recipient: recipient, since: since) }
    }

    static func automaticReplyCount(_ db: PostgresTransaction, recipient: String, since: Date) async throws -> Int {
        // A notification's recipient is a target's name, which a webhook customer's id could equal.
        try await db.scalar(
            """
            SELECT COUNT(*) FROM outbox
            WHERE automatic AND recipient = \(recipient) AND created_at >= \(since.timeIntervalSince1970) AND channel <> 'notification'
            """, as: Int.self) ?? 0
    }
}

/// What ``ThreadingPolicy`` has asked of one message so far, with the answers read from the database.
/// Lookups by message id stay within the message's source, so an id seen on one mailbox cannot pull mail
/// from another into its conversation.
struct ThreadingFacts {
    /// A question not answered yet: thrown out of the policy so the store can look it up.
    struct Missing: Error {
        enum Fact {
            case conversation(id: String)
            case citing(String)
            case appears(String, conversationID: String)
        }

        let fact: Fact
    }

    var byID: [String: ConversationRow?] = [:]
    var citing: [String: ConversationRow?] = [:]
    /// Keyed by conversation id, then the lower-cased address.
    var appears: [String: [String: Bool]] = [:]
    /// The sender's newest conversation on the message's channel and source that is not closed.
    let open: ConversationRow?
    /// The sender's newest closed conversation there.
    let latestClosed: ConversationRow?

    init(open: ConversationRow?, latestClosed: ConversationRow?) {
        self.open = open
        self.latestClosed = latestClosed
    }

    mutating func learn(_ fact: Missing.Fact, _ db: PostgresTransaction, _ inbound: InboundMessage) async throws {
        switch fact {
        case .conversation(let id):
            byID[id] = .some(try await PostgresMessageStore.conversationRow(db, id: id))
        case .citing(let messageID):
            citing[messageID] = .some(try await db.first("""
                SELECT \(unescaped: PostgresMessageStore.conversationRowColumns("c"))
                FROM message_ids m JOIN conversations c ON c.id = m.conversation_id
                WHERE m.source = \(inbound.source) AND m.message_id = \(messageID)
                """).map(PostgresMessageStore.conversationRow(from:)))
        case .appears(let address, let conversationID):
            let found = try await db.scalar("""
                SELECT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = \(conversationID)
                    AND (lower(m.sender) = \(address)
                        OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(m.recipients::jsonb) AS r(value) WHERE lower(r.value) = \(address))))
                """, as: Bool.self) ?? false
            appears[conversationID, default: [:]][address] = found
        }
    }
}

/// The policy's lookups answered from ``ThreadingFacts``; a question they cannot answer yet is thrown as
/// ``ThreadingFacts/Missing``.
struct ThreadingLookupsFromFacts: ThreadingLookups {
    let facts: ThreadingFacts

    func conversation(_ candidate: ConversationRow) -> Conversation { candidate.conversation }

    func conversation(id: String) throws -> ConversationRow? {
        guard let known = facts.byID[id] else { throw ThreadingFacts.Missing(fact: .conversation(id: id)) }
        return known
    }

    func conversation(citing messageID: String) throws -> ConversationRow? {
        guard let known = facts.citing[messageID] else { throw ThreadingFacts.Missing(fact: .citing(messageID)) }
        return known
    }

    func appears(_ address: String, in candidate: ConversationRow) throws -> Bool {
        let id = candidate.conversation.id
        guard let known = facts.appears[id]?[address] else { throw ThreadingFacts.Missing(fact: .appears(address, conversationID: id)) }
        return known
    }

    func openConversationOfSender() -> ConversationRow? { facts.open }

    func latestClosedConversationOfSender() -> ConversationRow? { facts.latestClosed }
}
