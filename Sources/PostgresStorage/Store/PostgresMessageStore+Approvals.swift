import Conversations
import Foundation
import PostgresNIO
import StoreSupport
import SwitchboardCore

/// Replies held for a supervisor's approval: listed oldest first, approved (then queued and applied to
/// their conversation as any reply is when queued), rejected, or expired by the gateway's clock.
extension PostgresMessageStore {
    /// Who expires held replies in the audit trail.
    static let approvalTimerActor = "approval-timer"

    /// The replies awaiting approval, oldest first, of some sources, a page at a time.
    public func heldReplies(after: PageCursor?, limit: Int, sources: Set<String>?) async throws -> (entries: [OutboxEntry], next: PageCursor?) {
        let position = after?.position ?? 0, id = after?.id ?? ""
        return try await read { db in
            var entries = try await db.rows("""
                SELECT * FROM outbox WHERE status = 'awaiting_approval'
                    AND (\(sources == nil) OR source = ANY(\(sources.map { Array($0) } ?? [])))
                    AND (\(after == nil) OR created_at > \(position) OR (created_at = \(position) AND id COLLATE "C" > \(id)))
                ORDER BY created_at, id COLLATE "C" LIMIT \(limit + 1)
                """).map(Self.outboxEntry(from:))
            guard entries.count > limit else { return (entries, nil) }
            entries.removeLast()
            let last = entries[entries.count - 1]
            return (entries, PageCursor(position: last.createdAt.timeIntervalSince1970, id: last.id))
        }
    }

    /// Approves or rejects a held reply; an approved one is queued and does to its conversation what a reply does.
    public func decideApproval(
        id: String, _ decision: ApprovalDecision, actor: String, note: String?, expectedSHA256: String?, now: Date
    ) async throws -> ApprovalDecisionResult {
        let clocks = clockRules
        let notifications = notificationRules
        return try await write { db in
            guard let entry = try await Self.outboxEntry(db, id: id) else { return .notFound }
            let status: OutboxStatus
            switch ApprovalRules.decide(decision, on: entry, by: actor, expectedSHA256: expectedSHA256, at: now) {
            case let .apply(decided): status = decided
            case .selfApproval: return .selfApproval
            case let .refused(current): return .refused(current: current)
            case .contentChanged: return .contentChanged
            case .expire:
                try await Self.expire(db, entry, at: now, notifications: notifications)
                return try await Self.outboxEntry(db, id: entry.id).map(ApprovalDecisionResult.expired) ?? .notFound
            }
            guard let hold = entry.approval else { return .refused(current: entry.status) }
            let nextAttempt: Double? = decision == .approve ? now.timeIntervalSince1970 : nil
            try await db.execute("""
                UPDATE outbox SET status = \(status.rawValue), next_attempt_at = \(nextAttempt), approval_decided_by = \(actor),
                    approval_decided_at = \(now.timeIntervalSince1970), approval_note = \(note), updated_at = \(now.timeIntervalSince1970)
                WHERE id = \(entry.id)
                """)
            var detail = ["author": entry.author, "amount": hold.amount]
            if let note { detail["note"] = note }
            if decision == .approve {
                detail["content_sha256"] = hold.contentSHA256
                // The reply reaches the customer now: what it does to the conversation happens now, as the
                // author's reply (the approver only let it through).
                if let conversation = try await Self.conversation(db, id: entry.conversationID) {
                    try await Self.applyReply(db, to: conversation, author: entry.author, automatic: entry.automatic, at: now, clocks: clocks)
                }
            }
            try await Self.insertEvent(
                db, at: now, subjectKind: "outbox", subjectID: entry.id, conversationID: entry.conversationID,
                kind: decision == .approve ? "reply_approved" : "reply_rejected", actor: actor, detail: detail)
            return try await Self.outboxEntry(db, id: entry.id).map(ApprovalDecisionResult.applied) ?? .notFound
        }
    }

    /// Expires the holds whose time ran out by `now`, oldest first, at most `limit`.
    public func expireApprovals(now: Date, limit: Int) async throws -> [OutboxEntry] {
        let notifications = notificationRules
        return try await write { db in
            let due = try await db.rows("""
                SELECT * FROM outbox WHERE status = 'awaiting_approval' AND approval_expires_at <= \(now.timeIntervalSince1970)
                ORDER BY approval_expires_at, id COLLATE "C" LIMIT \(limit)
                """).map(Self.outboxEntry(from:))
            var expired: [OutboxEntry] = []
            for entry in due {
                try await Self.expire(db, entry, at: now, notifications: notifications)
                if let updated = try await Self.outboxEntry(db, id: entry.id) { expired.append(updated) }
            }
            return expired
        }
    }

    /// Ends a hold without a decision, in the caller's transaction: `expired`, audited, and notified.
    static func expire(_ db: PostgresTransaction, _ entry: OutboxEntry, at now: Date, notifications: (any NotificationRules)?) async throws {
        try await db.execute(
            "UPDATE outbox SET status = 'expired', next_attempt_at = NULL, updated_at = \(now.timeIntervalSince1970) WHERE id = \(entry.id)")
        var detail = ["author": entry.author]
        if let hold = entry.approval {
            detail["amount"] = hold.amount
            detail["expires_at"] = hold.expiresAt.formatted(.iso8601)
        }
        try await insertEvent(
            db, at: now, subjectKind: "outbox", subjectID: entry.id, conversationID: entry.conversationID, kind: "reply_expired",
            actor: approvalTimerActor, detail: detail)
        if let conversation = try await conversation(db, id: entry.conversationID) {
            try await queueNotifications(
                db,
                [NotificationEvent(.approvalExpired, heldReply: entry, conversation: conversation, actor: approvalTimerActor, at: now)]
                    .compactMap { $0 },
                rules: notifications)
        }
    }

    static func outboxEntry(_ db: PostgresTransaction, id: String) async throws -> OutboxEntry? {
        try await db.first("SELECT * FROM outbox WHERE id = \(id)").map(outboxEntry(from:))
    }
}
