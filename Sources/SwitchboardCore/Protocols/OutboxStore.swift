import Foundation

/// The store as the shared outbox uses it: agents' replies go in, the dispatcher claims due entries
/// with their context and records each attempt's outcome, providers' delivery reports move entries on.
public protocol OutboxStore: Sendable {
    /// Commits an agent's reply, written at `now`. With an idempotency key, a repeat of the same request
    /// returns the first entry and a different request under the same key is a conflict.
    func enqueueReply(
        _ reply: PendingReply,
        conversationID: String,
        author: String,
        idempotencyKey: String?,
        requestFingerprint: String?,
        at now: Date
    ) async throws -> EnqueueResult

    /// Marks up to `limit` entries that are due as `sending`, counting the attempt, and returns each with
    /// its conversation and the newest inbound message it answers, all read in the claiming transaction.
    func claimDueOutbox(now: Date, limit: Int) async throws -> [ClaimedDelivery]

    /// Records the outcome of the attempt the entry was claimed for; a `retry` is due `after` seconds
    /// from `now`.
    func recordDelivery(outboxID: String, outcome: DeliveryOutcome, now: Date) async throws

    /// Applies a provider's delivery report to its outbox entry. Reports may come twice, late, out of
    /// order or before the submission was recorded: an entry only moves forward, and a final status
    /// (`delivered`, `failed`) stays.
    func recordDeliveryReport(_ report: DeliveryReport) async throws -> DeliveryReportOutcome

    /// Returns entries left `sending` by a process that died to `queued`; called once at start-up.
    func requeueAbandonedDeliveries(now: Date) async throws -> Int

    /// The earliest time a queued entry becomes due, so the dispatcher can sleep until then.
    func nextOutboxDueDate() async throws -> Date?

    /// Entries newest first, `limit` at a time, before `before` (the cursor of the last page's end); with
    /// `status`, only those; with `sources`, only those sources'. Answers the cursor of the next page
    /// when there is more.
    func outboxEntries(
        status: OutboxStatus?, before: PageCursor?, limit: Int, sources: Set<String>?
    ) async throws -> (entries: [OutboxEntry], next: PageCursor?)

    /// An operator's action on one entry, audited with the actor: `retry` puts a failed, dead-lettered or
    /// cancelled entry back in the queue for a fresh round of attempts; `cancel` stops a queued, failed or
    /// dead-lettered one for good. Any other status refuses, and nothing changes.
    func operateOutbox(id: String, _ operation: OutboxOperation, actor: String, now: Date) async throws -> OutboxOperationResult
}

extension OutboxStore {
    /// Commits an agent's reply written now.
    public func enqueueReply(
        _ reply: PendingReply, conversationID: String, author: String, idempotencyKey: String?, requestFingerprint: String?
    ) async throws -> EnqueueResult {
        try await enqueueReply(
            reply, conversationID: conversationID, author: author, idempotencyKey: idempotencyKey, requestFingerprint: requestFingerprint,
            at: Date())
    }
}

/// What an operator does to an outbox entry.
public enum OutboxOperation: String, Sendable {
    case retry
    case cancel

    /// The statuses the operation takes.
    public var from: Set<OutboxStatus> {
        switch self {
        case .retry: [.failed, .deadLettered, .cancelled]
        case .cancel: [.queued, .failed, .deadLettered]
        }
    }
}

/// What ``OutboxStore/operateOutbox(id:_:actor:now:)`` answers.
public enum OutboxOperationResult: Sendable, Equatable {
    case applied(OutboxEntry)
    /// The entry's status does not take the operation.
    case refused(current: OutboxStatus)
    case notFound
}
