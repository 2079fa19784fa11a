import Conversations
import Foundation
import PostgresNIO
import StoreSupport
import SwitchboardCore

extension PostgresMessageStore {
    /// The columns ``conversationRow(from:)`` reads.
    static let conversationRowColumnNames = [
        "id", "channel", "source", "customer_address", "customer_tier", "language", "queue", "priority", "urgency", "sentiment",
        "state", "route_id", "sla_policy", "sla_due_at", "owner", "created_at", "updated_at", "inbound_count", "last_inbound_at",
        "waiting_since", "previous_conversation_id", "reopen_count",
    ]

    /// Those columns qualified by `table`, for a select list.
    static func conversationRowColumns(_ table: String) -> String {
        conversationRowColumnNames.map { "\(table).\($0)" }.joined(separator: ", ")
    }

    static let conversationColumns = conversationRowColumns("conversations")

    /// A conversation with what its row keeps of the customer's inbound messages, from a row that has the
    /// columns ``conversationRowColumnNames`` lists.
    static func conversationRow(from row: PostgresTransaction.Row) throws -> ConversationRow {
        ConversationRow(
            conversation: Conversation(
                id: try row["id"], channel: ChannelKind(rawValue: try row["channel"]), source: try row["source"],
                customerAddress: try row["customer_address"],
                customerTier: CustomerTier(rawValue: try row["customer_tier"]) ?? .ordinary,
                language: try row["language"], queue: try row["queue"], priority: try row["priority"],
                urgency: Urgency(rawValue: try row["urgency"]) ?? .normal, sentiment: Sentiment(rawValue: try row["sentiment"]) ?? .neutral,
                state: ConversationState(rawValue: try row["state"]) ?? .new, routeID: try row["route_id"],
                slaPolicy: try row["sla_policy"], slaDueAt: try row.date("sla_due_at"), owner: try row["owner"],
                createdAt: try row.date("created_at") ?? Date(timeIntervalSince1970: 0),
                updatedAt: try row.date("updated_at") ?? Date(timeIntervalSince1970: 0),
                previousConversationID: try row["previous_conversation_id"], reopenCount: try row["reopen_count"]),
            inboundCount: try row["inbound_count"], lastInboundAt: try row.date("last_inbound_at"),
            waitingSince: try row.date("waiting_since"))
    }

    /// The conversation with this id, read inside the caller's transaction.
    static func conversation(_ db: PostgresTransaction, id: String) async throws -> Conversation? {
        try await conversationRow(db, id: id)?.conversation
    }

    static func conversationRow(_ db: PostgresTransaction, id: String) async throws -> ConversationRow? {
        try await db.first("SELECT \(unescaped: conversationColumns) FROM conversations WHERE id = \(id)").map(conversationRow(from:))
    }

    /// A message from a row of `messages`; `raw_payload` may be left out of the select list (`withRaw: false`).
    static func message(from row: PostgresTransaction.Row, withRaw: Bool = true) throws -> Message {
        let recipients = (try? decoder.decode([String].self, from: Data((try row["recipients"] as String).utf8))) ?? []
        let classification = (try row["classification"] as String?).flatMap {
            try? decoder.decode(Classification.self, from: Data($0.utf8))
        }
        let metadata = (try row["metadata"] as String?).flatMap {
            try? decoder.decode(StoredMessageMetadata.self, from: Data($0.utf8))
        }
        return Message(
            id: try row["id"], conversationID: try row["conversation_id"],
            direction: Direction(rawValue: try row["direction"]) ?? .inbound, channel: ChannelKind(rawValue: try row["channel"]),
            source: try row["source"], externalID: try row["external_id"], sender: try row["sender"], recipients: recipients,
            subject: try row["subject"], text: try row["text"],
            receivedAt: try row.date("received_at") ?? Date(timeIntervalSince1970: 0),
            rawPayload: withRaw ? try row.data("raw_payload") : nil,
            classification: classification, thread: metadata?.thread ?? ThreadHints(),
            threadedBy: (try row["threaded_by"] as String?).flatMap(ThreadingStrategy.init(rawValue:)),
            attachments: metadata?.attachments ?? [], warnings: metadata?.warnings ?? [])
    }

    static func outboxEntry(from row: PostgresTransaction.Row) throws -> OutboxEntry {
        OutboxEntry(
            id: try row["id"], conversationID: try row["conversation_id"], channel: ChannelKind(rawValue: try row["channel"]),
            source: try row["source"], recipient: try row["recipient"], script: try row["script"], body: try row["body"],
            status: OutboxStatus(rawValue: try row["status"]) ?? .queued, attempts: try row["attempts"],
            nextAttemptAt: try row.date("next_attempt_at"), lastError: try row["last_error"], automatic: try row["automatic"],
            author: try row["author"], createdAt: try row.date("created_at") ?? Date(timeIntervalSince1970: 0),
            updatedAt: try row.date("updated_at") ?? Date(timeIntervalSince1970: 0), providerMessageID: try row["provider_message_id"],
            approval: try approvalHold(from: row))
    }

    /// The approval columns of an outbox row (v16), nil for an entry that was never held.
    static func approvalHold(from row: PostgresTransaction.Row) throws -> ApprovalHold? {
        guard let reason = (try row["approval_reason"] as String?).flatMap(ApprovalHold.Reason.init(rawValue:)),
              let expiresAt = try row.date("approval_expires_at") else { return nil }
        return ApprovalHold(
            amount: try row["approval_amount"] ?? "", reason: reason, expiresAt: expiresAt,
            contentSHA256: try row["approval_sha256"] ?? "", decidedBy: try row["approval_decided_by"],
            decidedAt: try row.date("approval_decided_at"), note: try row["approval_note"])
    }

    static func event(from row: PostgresTransaction.Row) throws -> AuditEvent {
        let detail = (try? decoder.decode([String: String].self, from: Data((try row["detail"] as String).utf8))) ?? [:]
        return AuditEvent(
            at: try row.date("at") ?? Date(timeIntervalSince1970: 0), subjectKind: try row["subject_kind"],
            subjectID: try row["subject_id"], conversationID: try row["conversation_id"], kind: try row["kind"], actor: try row["actor"],
            detail: detail)
    }

    static func json<T: Encodable>(_ value: T) throws -> String { try StoredJSON.encode(value) }

    static func json(_ detail: [String: String]) -> String { StoredJSON.object(detail) }

    static func insertEvent(
        _ db: PostgresTransaction, at: Date, subjectKind: String, subjectID: String, conversationID: String, kind: String,
        actor: String, detail: [String: String] = [:]
    ) async throws {
        try await insertEvent(
            db, at: at, subjectKind: subjectKind, subjectID: subjectID, conversationID: conversationID, kind: kind, actor: actor,
            detailJSON: json(detail))
    }

    /// An event whose detail is already a JSON object with sorted keys.
    static func insertEvent(
        _ db: PostgresTransaction, at: Date, subjectKind: String, subjectID: String, conversationID: String, kind: String,
        actor: String, detailJSON: String
    ) async throws {
        // Written with the transaction's other events, before its next read or its commit.
        db.queueEvent([at.timeIntervalSince1970, subjectKind, subjectID, conversationID, kind, actor, detailJSON])
    }

    /// Queues a reply to the conversation's customer, due at once, with its `reply_queued` audit event: an
    /// agent's, the rules' acknowledgement, or a hand-off's message. A reply with an approval hold is
    /// written `awaiting_approval` instead, never due, with a `reply_held` event and its `approval.requested`
    /// notification.
    static func queueReply(
        _ db: PostgresTransaction, _ reply: PendingReply, conversationID: String, channel: ChannelKind, source: String,
        recipient: String, author: String, at now: Date, idempotencyKey: String? = nil, fingerprint: String? = nil,
        notifications: (any NotificationRules)? = nil
    ) async throws -> OutboxEntry {
        var entry = OutboxEntry(
            id: Identifier.make("out", at: now), conversationID: conversationID, channel: channel, source: source, recipient: recipient,
            script: reply.script, body: reply.body, status: reply.approval == nil ? .queued : .awaitingApproval, attempts: 0,
            nextAttemptAt: reply.approval == nil ? now : nil, lastError: nil, automatic: reply.automatic, author: author, createdAt: now,
            updatedAt: now, approval: reply.approval)
        insertOutbox(db, entry, idempotencyKey: idempotencyKey, fingerprint: fingerprint)
        let files = try await attach(db, reply.attachmentIDs, toReply: entry.id, conversationID: conversationID)
        if !files.isEmpty { entry.attachments = files }
        guard let hold = reply.approval else {
            var detail = ["script": reply.script ?? "", "automatic": String(reply.automatic)]
            if !reply.attachmentIDs.isEmpty { detail["attachments"] = reply.attachmentIDs.joined(separator: ",") }
            try await insertEvent(
                db, at: now, subjectKind: "outbox", subjectID: entry.id, conversationID: conversationID, kind: "reply_queued", actor: author,
                detail: detail)
            return entry
        }
        try await insertEvent(
            db, at: now, subjectKind: "outbox", subjectID: entry.id, conversationID: conversationID, kind: "reply_held", actor: author,
            detail: [
                "script": reply.script ?? "", "amount": hold.amount, "reason": hold.reason.rawValue,
                "expires_at": hold.expiresAt.formatted(.iso8601), "content_sha256": hold.contentSHA256,
            ])
        if let conversation = try await conversation(db, id: conversationID) {
            try await queueNotifications(
                db, [NotificationEvent(.approvalRequested, heldReply: entry, conversation: conversation, actor: author, at: now)].compactMap { $0 },
                rules: notifications)
        }
        return entry
    }

    static let outboxColumns = [
        "id", "conversation_id", "channel", "source", "recipient", "script", "body", "status", "attempts", "next_attempt_at",
        "last_error", "automatic", "author", "idempotency_key", "request_fingerprint", "created_at", "updated_at",
        "approval_reason", "approval_amount", "approval_sha256", "approval_expires_at",
    ]

    /// Queues the entry's row with the transaction's other inserts (see ``PostgresTransaction``).
    static func insertOutbox(_ db: PostgresTransaction, _ entry: OutboxEntry, idempotencyKey: String?, fingerprint: String?) {
        db.queueInsert(into: "outbox", columns: outboxColumns, row: [
            entry.id, entry.conversationID, entry.channel.rawValue, entry.source, entry.recipient, entry.script, entry.body,
            entry.status.rawValue, entry.attempts, entry.nextAttemptAt?.timeIntervalSince1970, entry.lastError, entry.automatic,
            entry.author, idempotencyKey, fingerprint, entry.createdAt.timeIntervalSince1970, entry.updatedAt.timeIntervalSince1970,
            entry.approval?.reason.rawValue, entry.approval?.amount, entry.approval?.contentSHA256,
            entry.approval?.expiresAt.timeIntervalSince1970,
        ])
    }
}
