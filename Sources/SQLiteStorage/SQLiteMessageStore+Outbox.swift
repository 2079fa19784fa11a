import Conversations
import Foundation
import GRDB
import StoreSupport
import SwitchboardCore

extension SQLiteMessageStore {
    public func enqueueReply(
        _ reply: PendingReply,
        conversationID: String,
        author: String,
        idempotencyKey: String?,
        requestFingerprint: String?,
        at now: Date
    ) async throws -> EnqueueResult {
        let clocks = clockRules
        let notifications = notificationRules
        return try await pool.write { db in
            if let idempotencyKey,
               let row = try Row.fetchOne(
                   db, sql: "SELECT * FROM outbox WHERE author = ? AND idempotency_key = ?", arguments: [author, idempotencyKey]) {
                let stored: String? = row["request_fingerprint"]
                return stored == requestFingerprint ? .replayed(Self.outboxEntry(from: row)) : .conflict
            }
            guard let conversation = try Self.conversation(db, id: conversationID) else {
                throw SwitchboardError(.notFound, "conversation does not exist")
            }
            // A held reply has not reached the customer: what a reply does to its conversation (the owner, the
            // first response, in progress) waits for its approval (see `decideApproval`).
            if reply.approval == nil {
                try Self.applyReply(db, to: conversation, author: author, automatic: reply.automatic, at: now, clocks: clocks)
            }
            // The entry and its event after the ownership it implies, as the trail reads in order.
            let entry = try Self.queueReply(
                db, reply, conversationID: conversation.id, channel: conversation.channel, source: conversation.source,
                recipient: conversation.customerAddress, author: author, at: now, idempotencyKey: idempotencyKey,
                fingerprint: requestFingerprint, notifications: notifications)
            return .created(entry)
        }
    }

    /// What a reply queued for the customer does to its conversation, in the caller's transaction: the
    /// author owns it if nobody did, it moves to in progress, and an agent's reply ends the customer's wait
    /// and fulfils the first response.
    static func applyReply(
        _ db: Database, to conversation: Conversation, author: String, automatic: Bool, at now: Date, clocks: (any ClockRules)?
    ) throws {
        let replied = ConversationRules.reply(to: conversation, by: author)
        // An agent's reply ends the customer's wait; an automatic one does not.
        try db.execute(
            sql: """
                UPDATE conversations SET owner = ?, state = ?, updated_at = ?,
                    waiting_since = CASE WHEN ? THEN waiting_since END
                WHERE id = ?
                """,
            arguments: [
                replied.conversation.owner, replied.conversation.state.rawValue, now.timeIntervalSince1970, automatic,
                conversation.id,
            ])
        if !automatic, let transition = replied.lifecycle.transition {
            try Self.logClocks(db, transition, conversationID: conversation.id, policy: conversation.slaPolicy, at: now, rules: clocks)
        }
        if replied.ownerAssigned {
            try Self.insertEvent(
                db, at: now, subjectKind: "conversation", subjectID: conversation.id, conversationID: conversation.id,
                kind: "owner_assigned", actor: author, detail: ["owner": author])
        }
    }

    public func claimDueOutbox(now: Date, limit: Int) async throws -> [ClaimedDelivery] {
        try await pool.write { db in
            let due = try Self.fetchEach(
                db.cachedStatement(sql: """
                    SELECT * FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?
                    ORDER BY next_attempt_at, id LIMIT ?
                    """),
                arguments: [now.timeIntervalSince1970, limit], Self.outboxEntry(from:))
            var claimed: [ClaimedDelivery] = []
            for var entry in due {
                entry.status = .sending
                entry.attempts += 1
                entry.updatedAt = now
                try db.execute(
                    sql: "UPDATE outbox SET status = 'sending', attempts = ?, updated_at = ? WHERE id = ?",
                    arguments: [entry.attempts, now.timeIntervalSince1970, entry.id])
                // What the channel needs comes with the claim, so a delivery costs no further reads.
                let conversation = try Self.conversation(db, id: entry.conversationID)
                let replyingTo = try conversation.flatMap { try Self.latestInboundMessage(db, conversationID: $0.id) }
                // Only the gateway's own messages can be a survey's question.
                let surveyURL = entry.automatic && entry.channel != .notification
                    ? try String.fetchOne(db.cachedStatement(sql: "SELECT answer_url FROM surveys WHERE outbox_id = ?"), arguments: [entry.id])
                    : nil
                // Only agents' replies carry files.
                let attachments = entry.automatic ? [] : try Self.replyAttachments(db, outboxID: entry.id)
                claimed.append(ClaimedDelivery(
                    entry: entry, conversation: conversation, replyingTo: replyingTo, surveyURL: surveyURL, attachments: attachments))
            }
            return claimed
        }
    }

    /// The newest inbound message of a conversation, what a reply answers and cites; without its raw
    /// payload, which can be megabytes and is read here inside the claiming write.
    static func latestInboundMessage(_ db: Database, conversationID: String) throws -> Message? {
        try fetchFirst(
            db.cachedStatement(sql: """
                SELECT \(messageColumnsWithoutRaw) FROM messages WHERE conversation_id = ? AND direction = 'inbound'
                ORDER BY received_at DESC, id DESC LIMIT 1
                """),
            arguments: [conversationID], message(from:))
    }

    public func recordDelivery(outboxID: String, outcome: DeliveryOutcome, now: Date) async throws {
        try await pool.write { db in
            guard let entry = try Self.fetchFirst(
                db.cachedStatement(sql: "SELECT * FROM outbox WHERE id = ?"), arguments: [outboxID], Self.outboxEntry(from:)) else { return }
            var status = outcome.status
            var nextAttempt: Date?
            var error = outcome.error
            var providerMessageID: String?
            var detail: [String: String] = ["attempt": String(entry.attempts)]
            switch outcome {
            case let .delivered(info, messageID):
                if let info { detail["detail"] = info }
                if let messageID {
                    detail["message_id"] = messageID
                    try Self.recordMessageID(
                        db, messageID, source: entry.source, conversationID: entry.conversationID, subjectKind: "outbox",
                        subjectID: entry.id)
                }
            case let .submitted(info, providerID):
                providerMessageID = providerID
                if let info { detail["detail"] = info }
                if let providerID { detail["provider_message_id"] = providerID }
            case let .retry(_, after):
                let at = now.addingTimeInterval(after ?? 0)
                nextAttempt = at
                detail["retry_at"] = ISO8601DateFormatter().string(from: at)
            case .failed, .deadLettered:
                break
            }
            detail["result"] = status.rawValue
            if let error { detail["error"] = error }
            // A delivery report can overtake the submission's own answer; it already moved the entry on,
            // and the slower answer must not move it back (nor re-queue what the handset has received).
            if entry.status != .sending {
                detail["status_kept"] = entry.status.rawValue
                status = entry.status
                nextAttempt = entry.nextAttemptAt
                error = nil
            }
            try db.execute(
                sql: """
                    UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = COALESCE(?, last_error),
                        provider_message_id = COALESCE(?, provider_message_id), updated_at = ? WHERE id = ?
                    """,
                arguments: [status.rawValue, nextAttempt?.timeIntervalSince1970, error, providerMessageID, now.timeIntervalSince1970, outboxID])
            try Self.insertEvent(
                db, at: now, subjectKind: "outbox", subjectID: outboxID, conversationID: entry.conversationID,
                kind: "delivery_attempt", actor: "dispatcher", detail: detail)
        }
    }

    public func recordDeliveryReport(_ report: DeliveryReport) async throws -> DeliveryReportOutcome {
        try await pool.write { db in
            let found: OutboxEntry?
            if let outboxID = report.outboxID {
                found = try Self.fetchFirst(
                    db.cachedStatement(sql: "SELECT * FROM outbox WHERE id = ? AND source = ?"), arguments: [outboxID, report.source],
                    Self.outboxEntry(from:))
            } else if let providerID = report.providerMessageID {
                found = try Self.fetchFirst(
                    db.cachedStatement(sql: "SELECT * FROM outbox WHERE source = ? AND provider_message_id = ?"),
                    arguments: [report.source, providerID], Self.outboxEntry(from:))
            } else {
                found = nil
            }
            guard let entry = found else { return .unknownEntry }
            let now = report.receivedAt
            let target: OutboxStatus = switch report.state {
            case .accepted: .sent
            case .delivered: .delivered
            case .failed: .failed
            }
            let current: Int = switch entry.status {
            case .queued, .sending: entry.attempts > 0 ? 1 : 0
            case .sent: 2
            case .delivered, .failed, .deadLettered, .cancelled, .rejected, .expired: 3
            // Never handed to a provider, so no report can be about it.
            case .awaitingApproval: 3
            }
            // Forward only: a report for a re-queued entry means an earlier attempt did reach the provider,
            // so it is taken (sending again would duplicate the text); nothing moves a final status.
            let applies = report.state.rank > current && entry.attempts > 0
            var detail = ["state": report.state.rawValue, "provider_status": report.providerStatus]
            if let providerID = report.providerMessageID { detail["provider_message_id"] = providerID }
            detail["result"] = applies ? target.rawValue : "unchanged"
            if applies {
                let error = report.state == .failed ? "delivery report: \(report.providerStatus)" : nil
                try db.execute(
                    sql: """
                        UPDATE outbox SET status = ?, next_attempt_at = NULL, last_error = COALESCE(?, last_error),
                            provider_message_id = COALESCE(provider_message_id, ?), updated_at = ? WHERE id = ?
                        """,
                    arguments: [target.rawValue, error, report.providerMessageID, now.timeIntervalSince1970, entry.id])
            }
            try Self.insertEvent(
                db, at: now, subjectKind: "outbox", subjectID: entry.id, conversationID: entry.conversationID,
                kind: "delivery_report", actor: "provider", detail: detail)
            return applies ? .applied(target) : .unchanged(entry.status)
        }
    }

    public func oldestDueOutboxEntry(now: Date) async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(
                db, sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?",
                arguments: [now.timeIntervalSince1970]
            ).map(Date.init(timeIntervalSince1970:))
        }
    }

    public func requeueAbandonedDeliveries(now: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE outbox SET status = 'queued', next_attempt_at = ?, updated_at = ? WHERE status = 'sending'",
                arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970])
            return db.changesCount
        }
    }

    public func nextOutboxDueDate() async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'queued'")
                .map { Date(timeIntervalSince1970: $0) }
        }
    }

    public func outboxEntries(
        status: OutboxStatus?, before: PageCursor?, limit: Int, sources: Set<String>?
    ) async throws -> (entries: [OutboxEntry], next: PageCursor?) {
        var conditions: [String] = []
        var texts: [String] = []
        if let status {
            conditions.append("status = ?")
            texts.append(status.rawValue)
        }
        if let sources {
            conditions.append(sources.isEmpty ? "0" : "source IN (\(sources.map { _ in "?" }.joined(separator: ", ")))")
            texts += sources.sorted()
        }
        let position = before?.position ?? Double.greatestFiniteMagnitude, id = before?.id ?? ""
        conditions.append(before == nil ? "1" : "(created_at < ? OR (created_at = ? AND id < ?))")
        let sql = "SELECT * FROM outbox WHERE \(conditions.joined(separator: " AND ")) ORDER BY created_at DESC, id DESC LIMIT ?"
        let filterTexts = texts
        return try await pool.read { db in
            var arguments = StatementArguments()
            for text in filterTexts { arguments += [text] }
            if before != nil { arguments += [position, position, id] }
            arguments += [limit + 1]
            var entries: [OutboxEntry] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                if entries.count == limit {
                    let last = entries[entries.count - 1]
                    return (entries, PageCursor(position: last.createdAt.timeIntervalSince1970, id: last.id))
                }
                entries.append(Self.outboxEntry(from: row))
            }
            return (entries, nil)
        }
    }

    public func operateOutbox(id: String, _ operation: OutboxOperation, actor: String, now: Date) async throws -> OutboxOperationResult {
        try await pool.write { db in
            guard let entry = try Self.fetchFirst(
                db.cachedStatement(sql: "SELECT * FROM outbox WHERE id = ?"), arguments: [id], Self.outboxEntry(from:)) else { return .notFound }
            guard operation.from.contains(entry.status) else { return .refused(current: entry.status) }
            switch operation {
            case .retry:
                // A fresh round: the attempts start again from one, at once.
                try db.execute(
                    sql: "UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE id = ?",
                    arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, id])
            case .cancel:
                try db.execute(
                    sql: "UPDATE outbox SET status = 'cancelled', next_attempt_at = NULL, updated_at = ? WHERE id = ?",
                    arguments: [now.timeIntervalSince1970, id])
            }
            try Self.insertEvent(
                db, at: now, subjectKind: "outbox", subjectID: id, conversationID: entry.conversationID,
                kind: operation == .retry ? "outbox_retried" : "outbox_cancelled", actor: actor, detail: ["previous_status": entry.status.rawValue])
            let updated = try Self.fetchFirst(
                db.cachedStatement(sql: "SELECT * FROM outbox WHERE id = ?"), arguments: [id], Self.outboxEntry(from:))
            return updated.map(OutboxOperationResult.applied) ?? .notFound
        }
    }
}
