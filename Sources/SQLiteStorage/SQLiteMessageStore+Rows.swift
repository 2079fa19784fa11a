import Conversations
import Foundation
import GRDB
import StoreSupport
import SwitchboardCore

extension SQLiteMessageStore {
    /// The columns ``conversationRow(from:)`` reads, in its order.
    static let conversationRowColumnNames = [
        "id", "channel", "source", "customer_address", "customer_tier", "language", "queue", "priority", "urgency", "sentiment",
        "state", "route_id", "sla_policy", "sla_due_at", "owner", "created_at", "updated_at", "inbound_count", "last_inbound_at",
        "waiting_since", "previous_conversation_id", "reopen_count",
    ]

    /// Those columns qualified by `table`, for a select list. The hot queries keep the result in a
    /// `static let`, so no query text is built per message.
    static func conversationRowColumns(_ table: String) -> String {
        conversationRowColumnNames.map { "\(table).\($0)" }.joined(separator: ", ")
    }

    private static let conversationByID = "SELECT \(conversationRowColumns("conversations")) FROM conversations WHERE id = ?"
    private static let openConversationOfCustomer = """
        SELECT \(conversationRowColumns("conversations")) FROM conversations
        WHERE channel = ? AND source = ? AND customer_address = ? AND state != 'closed'
        ORDER BY created_at DESC LIMIT 1
        """
    private static let latestClosedConversationOfCustomer = """
        SELECT \(conversationRowColumns("conversations")) FROM conversations
        WHERE channel = ? AND source = ? AND customer_address = ? AND state = 'closed'
        ORDER BY created_at DESC LIMIT 1
        """

    /// A conversation with what its row keeps of the customer's inbound messages, from a statement that
    /// selected the columns ``conversationRowColumns(_:)`` lists.
    static func conversationRow(from columns: StatementColumns) -> ConversationRow {
        ConversationRow(
            conversation: Conversation(
                id: columns.string(0), channel: ChannelKind(rawValue: columns.string(1)), source: columns.string(2),
                customerAddress: columns.string(3), customerTier: CustomerTier(rawValue: columns.string(4)) ?? .ordinary,
                language: columns.string(5), queue: columns.string(6), priority: columns.int(7),
                urgency: Urgency(rawValue: columns.string(8)) ?? .normal, sentiment: Sentiment(rawValue: columns.string(9)) ?? .neutral,
                state: ConversationState(rawValue: columns.string(10)) ?? .new, routeID: columns.string(11),
                slaPolicy: columns.string(12), slaDueAt: columns.date(13), owner: columns.optionalString(14),
                createdAt: columns.date(15) ?? Date(timeIntervalSince1970: 0), updatedAt: columns.date(16) ?? Date(timeIntervalSince1970: 0),
                previousConversationID: columns.optionalString(20), reopenCount: columns.int(21)),
            inboundCount: columns.int(17), lastInboundAt: columns.date(18), waitingSince: columns.date(19))
    }

    /// The conversation with this id, read inside the caller's transaction.
    static func conversation(_ db: Database, id: String) throws -> Conversation? {
        try conversationRow(db, id: id)?.conversation
    }

    static func conversationRow(_ db: Database, id: String) throws -> ConversationRow? {
        try ColumnCursor.first(
            db.cachedStatement(sql: conversationByID), arguments: [id],
            conversationRow(from:))
    }

    /// The customer's newest conversation on this channel and source that is not closed: the one a new
    /// message from them joins.
    static func openConversation(_ db: Database, channel: ChannelKind, source: String, customer: String) throws -> ConversationRow? {
        try ColumnCursor.first(
            db.cachedStatement(sql: openConversationOfCustomer), arguments: [channel.rawValue, source, customer], conversationRow(from:))
    }

    /// The customer's newest closed conversation on this channel and source: the one a new conversation
    /// continues when they write after it was closed.
    static func latestClosedConversation(_ db: Database, channel: ChannelKind, source: String, customer: String) throws -> ConversationRow? {
        try ColumnCursor.first(
            db.cachedStatement(sql: latestClosedConversationOfCustomer), arguments: [channel.rawValue, source, customer], conversationRow(from:))
    }

    static func message(from row: Row) -> Message {
        let recipients = (try? decoder.decode([String].self, from: Data((row["recipients"] as String).utf8))) ?? []
        let classification = (row["classification"] as String?).flatMap {
            try? decoder.decode(Classification.self, from: Data($0.utf8))
        }
        let metadata = (row["metadata"] as String?).flatMap {
            try? decoder.decode(StoredMessageMetadata.self, from: Data($0.utf8))
        }
        return Message(
            id: row["id"], conversationID: row["conversation_id"],
            direction: Direction(rawValue: row["direction"]) ?? .inbound, channel: ChannelKind(rawValue: row["channel"]),
            source: row["source"], externalID: row["external_id"], sender: row["sender"], recipients: recipients,
            subject: row["subject"], text: row["text"],
            receivedAt: date(row["received_at"]) ?? Date(timeIntervalSince1970: 0), rawPayload: row["raw_payload"],
            classification: classification, thread: metadata?.thread ?? ThreadHints(),
            threadedBy: (row["threaded_by"] as String?).flatMap(ThreadingStrategy.init(rawValue:)),
            attachments: metadata?.attachments ?? [], warnings: metadata?.warnings ?? [])
    }

    static func outboxEntry(from row: Row) -> OutboxEntry {
        OutboxEntry(
            id: row["id"], conversationID: row["conversation_id"], channel: ChannelKind(rawValue: row["channel"]),
            source: row["source"], recipient: row["recipient"], script: row["script"], body: row["body"],
            status: OutboxStatus(rawValue: row["status"]) ?? .queued, attempts: row["attempts"],
            nextAttemptAt: date(row["next_attempt_at"]), lastError: row["last_error"], automatic: row["automatic"],
            author: row["author"], createdAt: date(row["created_at"]) ?? Date(timeIntervalSince1970: 0),
            updatedAt: date(row["updated_at"]) ?? Date(timeIntervalSince1970: 0), providerMessageID: row["provider_message_id"],
            approval: approvalHold(from: row))
    }

    /// The approval columns of an outbox row (v16), nil for an entry that was never held.
    static func approvalHold(from row: Row) -> ApprovalHold? {
        guard let reason = (row["approval_reason"] as String?).flatMap(ApprovalHold.Reason.init(rawValue:)),
              let expiresAt = date(row["approval_expires_at"]) else { return nil }
        return ApprovalHold(
            amount: row["approval_amount"] ?? "", reason: reason, expiresAt: expiresAt, contentSHA256: row["approval_sha256"] ?? "",
            decidedBy: row["approval_decided_by"], decidedAt: date(row["approval_decided_at"]), note: row["approval_note"])
    }

    static func event(from row: Row) -> AuditEvent {
        let detail = (try? decoder.decode([String: String].self, from: Data((row["detail"] as String).utf8))) ?? [:]
        return AuditEvent(
            at: date(row["at"]) ?? Date(timeIntervalSince1970: 0), subjectKind: row["subject_kind"],
            subjectID: row["subject_id"], conversationID: row["conversation_id"], kind: row["kind"], actor: row["actor"],
            detail: detail)
    }

    static func date(_ seconds: Double?) -> Date? {
        seconds.map { Date(timeIntervalSince1970: $0) }
    }

    static func json<T: Encodable>(_ value: T) throws -> String { try StoredJSON.encode(value) }

    static func json(_ detail: [String: String]) -> String { StoredJSON.object(detail) }

    static func insertEvent(
        _ db: Database, at: Date, subjectKind: String, subjectID: String, conversationID: String, kind: String,
        actor: String, detail: [String: String] = [:]
    ) throws {
        try insertEvent(
            db, at: at, subjectKind: subjectKind, subjectID: subjectID, conversationID: conversationID, kind: kind, actor: actor,
            detailJSON: json(detail))
    }

    /// An event whose detail is already a JSON object with sorted keys.
    static func insertEvent(
        _ db: Database, at: Date, subjectKind: String, subjectID: String, conversationID: String, kind: String,
        actor: String, detailJSON: String
    ) throws {
        try db.cachedStatement(sql: """
            INSERT INTO events (at, subject_kind, subject_id, conversation_id, kind, actor, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [at.timeIntervalSince1970, subjectKind, subjectID, conversationID, kind, actor, detailJSON])
    }

    /// Queues a reply to the conversation's customer, due at once, with its `reply_queued` audit event: an
    /// agent's, the rules' acknowledgement, or a hand-off's message. A reply with an approval hold is
    /// written `awaiting_approval` instead, never due, with a `reply_held` event and its `approval.requested`
    /// notification.
    static func queueReply(
        _ db: Database, _ reply: PendingReply, conversationID: String, channel: ChannelKind, source: String, recipient: String,
        author: String, at now: Date, idempotencyKey: String? = nil, fingerprint: String? = nil,
        notifications: (any NotificationRules)? = nil
    ) throws -> OutboxEntry {
        var entry = OutboxEntry(
            id: Identifier.make("out", at: now), conversationID: conversationID, channel: channel, source: source, recipient: recipient,
            script: reply.script, body: reply.body, status: reply.approval == nil ? .queued : .awaitingApproval, attempts: 0,
            nextAttemptAt: reply.approval == nil ? now : nil, lastError: nil, automatic: reply.automatic, author: author, createdAt: now,
            updatedAt: now, approval: reply.approval)
        try insertOutbox(db, entry, idempotencyKey: idempotencyKey, fingerprint: fingerprint)
        let files = try attach(db, reply.attachmentIDs, toReply: entry.id, conversationID: conversationID)
        if !files.isEmpty { entry.attachments = files }
        guard let hold = reply.approval else {
            var detail = ["script": reply.script ?? "", "automatic": String(reply.automatic)]
            if !reply.attachmentIDs.isEmpty { detail["attachments"] = reply.attachmentIDs.joined(separator: ",") }
            try insertEvent(
                db, at: now, subjectKind: "outbox", subjectID: entry.id, conversationID: conversationID, kind: "reply_queued", actor: author,
                detail: detail)
            return entry
        }
        try insertEvent(
            db, at: now, subjectKind: "outbox", subjectID: entry.id, conversationID: conversationID, kind: "reply_held", actor: author,
            detail: [
                "script": reply.script ?? "", "amount": hold.amount, "reason": hold.reason.rawValue,
                "expires_at": hold.expiresAt.formatted(.iso8601), "content_sha256": hold.contentSHA256,
            ])
        if let conversation = try conversation(db, id: conversationID) {
            try queueNotifications(
                db, [NotificationEvent(.approvalRequested, heldReply: entry, conversation: conversation, actor: author, at: now)].compactMap { $0 },
                rules: notifications)
        }
        return entry
    }

    static func insertOutbox(_ db: Database, _ entry: OutboxEntry, idempotencyKey: String?, fingerprint: String?) throws {
        try db.cachedStatement(sql: """
            INSERT INTO outbox (id, conversation_id, channel, source, recipient, script, body, status, attempts,
                next_attempt_at, last_error, automatic, author, idempotency_key, request_fingerprint, created_at, updated_at,
                approval_reason, approval_amount, approval_sha256, approval_expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(
            arguments: [
                entry.id, entry.conversationID, entry.channel.rawValue, entry.source, entry.recipient, entry.script,
                entry.body, entry.status.rawValue, entry.attempts, entry.nextAttemptAt?.timeIntervalSince1970,
                entry.lastError, entry.automatic, entry.author, idempotencyKey, fingerprint,
                entry.createdAt.timeIntervalSince1970, entry.updatedAt.timeIntervalSince1970,
                entry.approval?.reason.rawValue, entry.approval?.amount, entry.approval?.contentSHA256,
                entry.approval?.expiresAt.timeIntervalSince1970,
            ])
    }
}
