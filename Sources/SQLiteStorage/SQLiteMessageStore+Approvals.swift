import Conversations
import Foundation
import GRDB
import StoreSupport
import SwitchboardCore

/// Replies held for a supervisor's approval: listed oldest first, approved (then queued and applied to
/// their conversation as any reply is when queued), rejected, or expired by the gateway's clock.
extension SQLiteMessageStore {
    /// Who expires held replies in the audit trail.
    static let approvalTimerActor = "approval-timer"

    public func heldReplies(after: PageCursor?, limit: Int, sources: Set<String>?) async throws -> (entries: [OutboxEntry], next: PageCursor?) {
        let (sourceCondition, sourceArguments) = Self.sourceFilter(sources)
        let position = after?.position ?? 0, id = after?.id ?? ""
        let sql = """
            SELECT * FROM outbox WHERE status = 'awaiting_approval'\(sourceCondition)
                AND \(after == nil ? "1" : "(created_at > ? OR (created_at = ? AND id > ?))")
            ORDER BY created_at, id LIMIT ?
            """
        return try await pool.read { db in
            var arguments = StatementArguments()
            for text in sourceArguments { arguments += [text] }
            if after != nil { arguments += [position, position, id] }
            arguments += [limit + 1]
            var entries = try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.outboxEntry(from:))
            guard entries.count > limit else { return (entries, nil) }
            entries.removeLast()
            let last = entries[entries.count - 1]
            return (entries, PageCursor(position: last.createdAt.timeIntervalSince1970, id: last.id))
        }
    }

    public func decideApproval(
        id: String, _ decision: ApprovalDecision, actor: String, note: String?, expectedSHA256: String?, now: Date
    ) async throws -> ApprovalDecisionResult {
        let clocks = clockRules
        let notifications = notificationRules
        return try await pool.write { db in
            guard let entry = try Self.outboxEntry(db, id: id) else { return .notFound }
            let status: OutboxStatus
            switch ApprovalRules.decide(decision, on: entry, by: actor, expectedSHA256: expectedSHA256, at: now) {
            case let .apply(decided): status = decided
            case .selfApproval: return .selfApproval
            case let .refused(current): return .refused(current: current)
            case .contentChanged: return .contentChanged
            case .expire:
                try Self.expire(db, entry, at: now, notifications: notifications)
                return try Self.outboxEntry(db, id: entry.id).map(ApprovalDecisionResult.expired) ?? .notFound
            }
            guard let hold = entry.approval else { return .refused(current: entry.status) }
            try db.execute(
                sql: """
                    UPDATE outbox SET status = ?, next_attempt_at = ?, approval_decided_by = ?, approval_decided_at = ?,
                        approval_note = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    status.rawValue, decision == .approve ? now.timeIntervalSince1970 as Double? : nil, actor, now.timeIntervalSince1970, note,
                    now.timeIntervalSince1970, entry.id,
                ])
            var detail = ["author": entry.author, "amount": hold.amount]
            if let note { detail["note"] = note }
            if decision == .approve {
                detail["content_sha256"] = hold.contentSHA256
                // The reply reaches the customer now: what it does to the conversation happens now, as the
                // author's reply (the approver only let it through).
                if let conversation = try Self.conversation(db, id: entry.conversationID) {
                    try Self.applyReply(db, to: conversation, author: entry.author, automatic: entry.automatic, at: now, clocks: clocks)
                }
            }
            try Self.insertEvent(
                db, at: now, subjectKind: "outbox", subjectID: entry.id, conversationID: entry.conversationID,
                kind: decision == .approve ? "reply_approved" : "reply_rejected", actor: actor, detail: detail)
            return try Self.outboxEntry(db, id: entry.id).map(ApprovalDecisionResult.applied) ?? .notFound
        }
    }

    public func expireApprovals(now: Date, limit: Int) async throws -> [OutboxEntry] {
        let notifications = notificationRules
        return try await pool.write { db in
            let due = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT * FROM outbox WHERE status = 'awaiting_approval' AND approval_expires_at <= ?
                    ORDER BY approval_expires_at, id LIMIT ?
                    """),
                arguments: [now.timeIntervalSince1970, limit]
            ).map(Self.outboxEntry(from:))
            var expired: [OutboxEntry] = []
            for entry in due {
                try Self.expire(db, entry, at: now, notifications: notifications)
                if let updated = try Self.outboxEntry(db, id: entry.id) { expired.append(updated) }
            }
            return expired
        }
    }

    /// Ends a hold without a decision, in the caller's transaction: `expired`, audited, and notified.
    static func expire(_ db: Database, _ entry: OutboxEntry, at now: Date, notifications: (any NotificationRules)?) throws {
        try db.execute(
            sql: "UPDATE outbox SET status = 'expired', next_attempt_at = NULL, updated_at = ? WHERE id = ?",
            arguments: [now.timeIntervalSince1970, entry.id])
        var detail = ["author": entry.author]
        if let hold = entry.approval {
            detail["amount"] = hold.amount
            detail["expires_at"] = hold.expiresAt.formatted(.iso8601)
        }
        try insertEvent(
            db, at: now, subjectKind: "outbox", subjectID: entry.id, conversationID: entry.conversationID, kind: "reply_expired",
            actor: approvalTimerActor, detail: detail)
        if let conversation = try conversation(db, id: entry.conversationID) {
            try queueNotifications(
                db,
                [NotificationEvent(.approvalExpired, heldReply: entry, conversation: conversation, actor: approvalTimerActor, at: now)]
                    .compactMap { $0 },
                rules: notifications)
        }
    }

    static func outboxEntry(_ db: Database, id: String) throws -> OutboxEntry? {
        try fetchFirst(db.cachedStatement(sql: "SELECT * FROM outbox WHERE id = ?"), arguments: [id], outboxEntry(from:))
    }
}
