import Conversations
import Foundation
import PostgresNIO
import StoreSupport
import SwitchboardCore

extension PostgresMessageStore {
    /// Queues an agent's or the rules' reply to a conversation's customer; a repeated request with the same
    /// idempotency key returns the entry the first one queued (or a conflict when its body differs).
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
        return try await write { db in
            if let idempotencyKey,
               let row = try await db.first("SELECT * FROM outbox WHERE author = \(author) AND idempotency_key = \(idempotencyKey)") {
                let stored: String? = try row["request_fingerprint"]
                return stored == requestFingerprint ? .replayed(try Self.outboxEntry(from: row)) : .conflict
            }
            guard let conversation = try await Self.conversation(db, id: conversationID) else {
                throw SwitchboardError(.notFound, "conversation does not exist")
            }
            // A held reply has not reached the customer: what a reply does to its conversation (the owner, the
            // first response, in progress) waits for its approval (see `decideApproval`).
            if reply.approval == nil {
                try await Self.applyReply(db, to: conversation, author: author, automatic: reply.automatic, at: now, clocks: clocks)
            }
            // The entry and its event after the ownership it implies, as the trail reads in order.
            let entry = try await Self.queueReply(
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
        _ db: PostgresTransaction, to conversation: Conversation, author: String, automatic: Bool, at now: Date, clocks: (any ClockRules)?
    ) async throws {
        let replied = ConversationRules.reply(to: conversation, by: author)
        // An agent's reply ends the customer's wait; an automatic one does not.
        try await db.execute("""
            UPDATE conversations SET owner = \(replied.conversation.owner), state = \(replied.conversation.state.rawValue),
                updated_at = \(now.timeIntervalSince1970), waiting_since = CASE WHEN \(automatic) THEN waiting_since END
            WHERE id = \(conversation.id)
            """)
        if !automatic, let transition = replied.lifecycle.transition {
            try await Self.logClocks(db, transition, conversationID: conversation.id, policy: conversation.slaPolicy, at: now, rules: clocks)
        }
        if replied.ownerAssigned {
            try await Self.insertEvent(
                db, at: now, subjectKind: "conversation", subjectID: conversation.id, conversationID: conversation.id,
                kind: "owner_assigned", actor: author, detail: ["owner": author])
        }
    }

    /// Takes the due entries for delivery, marking them `sending`. The due rows are locked and rows another
    /// gateway's claim holds are skipped, so two gateways claiming at once never take the same entry.
    public func claimDueOutbox(now: Date, limit: Int) async throws -> [ClaimedDelivery] {
        try await writeLocking { db in
            // READ COMMITTED re-checks the WHERE on a row another claim changed and committed meanwhile, so an
            // entry already moved to `sending` is not taken again. An entry still `sending` whose lease ran out
            // belonged to a node that died mid-delivery: it is taken again, under its same id.
            let due = try await db.rows("""
                SELECT * FROM outbox
                WHERE (status = 'queued' AND next_attempt_at <= \(now.timeIntervalSince1970))
                    OR (status = 'sending' AND lease_until < \(now.timeIntervalSince1970))
                ORDER BY next_attempt_at, id COLLATE "C" LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
                """).map(Self.outboxEntry(from:))
            var claimed: [ClaimedDelivery] = []
            let leaseUntil = now.addingTimeInterval(deliveryLease)
            for var entry in due {
                entry.status = .sending
                entry.attempts += 1
                entry.updatedAt = now
                try await db.execute("""
                    UPDATE outbox SET status = 'sending', attempts = \(entry.attempts), updated_at = \(now.timeIntervalSince1970),
                        claimed_by = \(node), lease_until = \(leaseUntil.timeIntervalSince1970)
                    WHERE id = \(entry.id)
                    """)
                // What the channel needs comes with the claim, so a delivery costs no further reads.
                let conversation = try await Self.conversation(db, id: entry.conversationID)
                var replyingTo: Message?
                if let conversation { replyingTo = try await Self.latestInboundMessage(db, conversationID: conversation.id) }
                // Only the gateway's own messages can be a survey's question.
                let surveyURL = entry.automatic && entry.channel != .notification
                    ? try await db.scalar("SELECT answer_url FROM surveys WHERE outbox_id = \(entry.id)", as: String.self)
                    : nil
                // Only agents' replies carry files.
                let attachments = entry.automatic ? [] : try await Self.replyAttachments(db, outboxID: entry.id)
                claimed.append(ClaimedDelivery(
                    entry: entry, conversation: conversation, replyingTo: replyingTo, surveyURL: surveyURL, attachments: attachments))
            }
            return claimed
        }
    }

    /// The newest inbound message of a conversation, what a reply answers and cites; without its raw
    /// payload, which can be megabytes and is read here inside the claiming write.
    static func latestInboundMessage(_ db: PostgresTransaction, conversationID: String) async throws -> Message? {
        try await db.first("""
            SELECT \(unescaped: messageColumnsWithoutRaw) FROM messages WHERE conversation_id = \(conversationID) AND direction = 'inbound'
            ORDER BY received_at DESC, id COLLATE "C" DESC LIMIT 1
            """).map { try message(from: $0, withRaw: false) }
    }

    /// Records what a delivery attempt of a claimed entry came to.
    public func recordDelivery(outboxID: String, outcome: DeliveryOutcome, now: Date) async throws {
        try await write { db in
            guard let entry = try await Self.outboxEntry(db, id: outboxID) else { return }
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
                    try await Self.recordMessageID(
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
            try await db.execute("""
                UPDATE outbox SET status = \(status.rawValue), next_attempt_at = \(nextAttempt?.timeIntervalSince1970),
                    last_error = COALESCE(\(error), last_error), provider_message_id = COALESCE(\(providerMessageID), provider_message_id),
                    updated_at = \(now.timeIntervalSince1970)
                WHERE id = \(outboxID)
                """)
            try await Self.insertEvent(
                db, at: now, subjectKind: "outbox", subjectID: outboxID, conversationID: entry.conversationID,
                kind: "delivery_attempt", actor: "dispatcher", detail: detail)
        }
    }

    /// Applies a provider's report on a sent entry, forward only.
    public func recordDeliveryReport(_ report: DeliveryReport) async throws -> DeliveryReportOutcome {
        try await write { db in
            let found: OutboxEntry?
            if let outboxID = report.outboxID {
                found = try await db.first("SELECT * FROM outbox WHERE id = \(outboxID) AND source = \(report.source)")
                    .map(Self.outboxEntry(from:))
            } else if let providerID = report.providerMessageID {
                found = try await db.first("SELECT * FROM outbox WHERE source = \(report.source) AND provider_message_id = \(providerID)")
                    .map(Self.outboxEntry(from:))
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
                try await db.execute("""
                    UPDATE outbox SET status = \(target.rawValue), next_attempt_at = NULL, last_error = COALESCE(\(error), last_error),
                        provider_message_id = COALESCE(provider_message_id, \(report.providerMessageID)),
                        updated_at = \(now.timeIntervalSince1970)
                    WHERE id = \(entry.id)
                    """)
            }
            try await Self.insertEvent(
                db, at: now, subjectKind: "outbox", subjectID: entry.id, conversationID: entry.conversationID,
                kind: "delivery_report", actor: "provider", detail: detail)
            return applies ? .applied(target) : .unchanged(entry.status)
        }
    }

    /// When the longest-waiting due entry became due; nil when none is due at `now`.
    public func oldestDueOutboxEntry(now: Date) async throws -> Date? {
        try await read { db in
            try await db.scalar(
                "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'queued' AND next_attempt_at <= \(now.timeIntervalSince1970)",
                as: Double.self
            ).map(Date.init(timeIntervalSince1970:))
        }
    }

    /// Puts entries left `sending` by a gateway that stopped back in the queue, due at `now`.
    /// Entries left `sending` by a node that stopped without recording the outcome: only those whose lease ran
    /// out, since the other nodes' deliveries in flight are theirs. (The claim also takes such entries; this
    /// makes them due at once when a gateway starts.)
    public func requeueAbandonedDeliveries(now: Date) async throws -> Int {
        try await writeLocking { db in
            try await db.execute("""
                UPDATE outbox SET status = 'queued', next_attempt_at = \(now.timeIntervalSince1970), updated_at = \(now.timeIntervalSince1970),
                    claimed_by = NULL, lease_until = NULL
                WHERE status = 'sending' AND (lease_until IS NULL OR lease_until < \(now.timeIntervalSince1970))
                """)
        }
    }

    /// When the next queued entry is due; nil when none is queued.
    public func nextOutboxDueDate() async throws -> Date? {
        try await read { db in
            try await db.scalar("SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'queued'", as: Double.self)
                .map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// The outbox newest first, optionally of one status and of some sources, a page at a time.
    public func outboxEntries(
        status: OutboxStatus?, before: PageCursor?, limit: Int, sources: Set<String>?
    ) async throws -> (entries: [OutboxEntry], next: PageCursor?) {
        let position = before?.position ?? Double.greatestFiniteMagnitude, id = before?.id ?? ""
        return try await read { db in
            let rows = try await db.rows("""
                SELECT * FROM outbox
                WHERE (\(status == nil) OR status = \(status?.rawValue ?? ""))
                    AND (\(sources == nil) OR source = ANY(\(sources.map { Array($0) } ?? [])))
                    AND (\(before == nil) OR created_at < \(position) OR (created_at = \(position) AND id COLLATE "C" < \(id)))
                ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT \(limit + 1)
                """)
            var entries: [OutboxEntry] = []
            for row in rows {
                if entries.count == limit {
                    let last = entries[entries.count - 1]
                    return (entries, PageCursor(position: last.createdAt.timeIntervalSince1970, id: last.id))
                }
                entries.append(try Self.outboxEntry(from: row))
            }
            return (entries, nil)
        }
    }

    /// Retries or cancels an entry an operator chose, if its status allows.
    public func operateOutbox(id: String, _ operation: OutboxOperation, actor: String, now: Date) async throws -> OutboxOperationResult {
        try await write { db in
            guard let entry = try await Self.outboxEntry(db, id: id) else { return .notFound }
            guard operation.from.contains(entry.status) else { return .refused(current: entry.status) }
            switch operation {
            case .retry:
                // A fresh round: the attempts start again from one, at once.
                try await db.execute("""
                    UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = \(now.timeIntervalSince1970),
                        updated_at = \(now.timeIntervalSince1970)
                    WHERE id = \(id)
                    """)
            case .cancel:
                try await db.execute(
                    "UPDATE outbox SET status = 'cancelled', next_attempt_at = NULL, updated_at = \(now.timeIntervalSince1970) WHERE id = \(id)")
            }
            try await Self.insertEvent(
                db, at: now, subjectKind: "outbox", subjectID: id, conversationID: entry.conversationID,
                kind: operation == .retry ? "outbox_retried" : "outbox_cancelled", actor: actor, detail: ["previous_status": entry.status.rawValue])
            let updated = try await Self.outboxEntry(db, id: id)
            return updated.map(OutboxOperationResult.applied) ?? .notFound
        }
    }
}
