import Foundation

/// The store as compensation approval uses it: replies held for a supervisor (`awaiting_approval`), their
/// approval or rejection, and their expiry. Holding itself is ``OutboxStore/enqueueReply(_:conversationID:author:idempotencyKey:requestFingerprint:at:)``
/// with a ``PendingReply/approval``.
public protocol ApprovalStore: Sendable {
    /// Held entries oldest first, `limit` at a time, after `after` (the cursor of the last page's end); with
    /// `sources`, only those sources'. Answers the cursor of the next page when there is more.
    func heldReplies(after: PageCursor?, limit: Int, sources: Set<String>?) async throws -> (entries: [OutboxEntry], next: PageCursor?)

    /// A supervisor's decision on a held entry, audited with the actor and note. Approving puts it in the
    /// queue due at once and applies what the reply does to its conversation (the first response, the
    /// owner); rejecting ends it. The author may not decide their own reply; `expectedSHA256`, when given,
    /// must be the held body's hash; an entry past its expiry is expired instead.
    func decideApproval(
        id: String, _ decision: ApprovalDecision, actor: String, note: String?, expectedSHA256: String?, now: Date
    ) async throws -> ApprovalDecisionResult

    /// Expires up to `limit` held entries whose `expires_at` has come by `now`, each audited
    /// (`reply_expired`) with its `approval.expired` notification; answers them.
    func expireApprovals(now: Date, limit: Int) async throws -> [OutboxEntry]
}

/// What a supervisor decides about a held reply.
public enum ApprovalDecision: String, Sendable {
    case approve
    case reject
}

/// What ``ApprovalStore/decideApproval(id:_:actor:note:expectedSHA256:now:)`` answers.
public enum ApprovalDecisionResult: Sendable, Equatable {
    case applied(OutboxEntry)
    /// The entry is not awaiting approval: nothing changed.
    case refused(current: OutboxStatus)
    /// The hold was past its expiry when the decision came, and the decision expired it (as the timer would).
    case expired(OutboxEntry)
    /// The actor wrote the reply.
    case selfApproval
    /// The hash the supervisor approved is not the held body's.
    case contentChanged
    case notFound
}
