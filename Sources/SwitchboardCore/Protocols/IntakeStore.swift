import Foundation

/// The store as intake uses it: committing inbound messages (group commit included) and reading what
/// classifying one needs.
///
/// Every method that changes state commits before it returns, so a caller may acknowledge the sender as
/// soon as it returns and never before.
public protocol IntakeStore: Sendable {
    /// A request in the form this store commits it: whatever storing it needs no database for (encoding
    /// its columns, say) already done by ``prepare(_:)``. Only the store that made it reads it, so what it
    /// holds is the store's own business; a store with nothing to do ahead keeps the request as it is.
    associatedtype PreparedIngest: Sendable = IngestRequest

    /// Does the part of storing a message that needs no database, on the caller's task, so the single
    /// writer that every message of a batch waits for does less. The group committer calls it before
    /// queuing a message.
    func prepare(_ request: IngestRequest) -> PreparedIngest

    /// Stores inbound messages, each threaded into a conversation with its route decision applied and any
    /// automatic reply queued, all in one transaction (one sync to disk for the lot: group commit). Each
    /// message is applied in a savepoint of its own, so one that fails leaves the others in.
    ///
    /// Threading tries, in order: the verified conversation token, In-Reply-To, References (against
    /// inbound and outbound message ids), the customer's open conversation on the same source; the
    /// strategy that decided is stored on the message. In-Reply-To and References join a conversation
    /// only when the sender is its customer or already took part in it (sent, or was sent, one of its
    /// messages); otherwise they are passed over and a `threading_refused` event says so. Messages of
    /// one batch see each other in order.
    ///
    /// A request that ``IngestRequest/followsPrevious`` is stored only if the one before it was: a chain
    /// (one mailbox fetch) stops at its first failure, and its cursor at the last message stored.
    ///
    /// ``ingest(_:)`` prepares the requests and calls this.
    ///
    /// - Returns: one result per request, in order; a failure stored nothing of that message.
    /// - Throws: when the transaction did not commit; then nothing of the batch was stored.
    func ingest(prepared batch: [PreparedIngest]) async throws -> [Result<IngestResult, any Error>]

    /// Commits batches as ``ingest(prepared:)`` does, one transaction each, for as long as `next` hands
    /// one over, and reports each batch's outcome to `finished` (in order, once per batch) as soon as it
    /// has committed or failed.
    ///
    /// A store with a single writer implements this to keep the writer between batches: under load the
    /// next batch has gathered while the last one committed, and going back through the task scheduler
    /// for each one left the writer idle most of the time. It may stop taking batches early to let other
    /// writers in; the caller calls again while work is queued. The default commits each with
    /// ``ingest(prepared:)``.
    func ingestBatches(
        next: @escaping @Sendable () -> [PreparedIngest]?,
        finished: @escaping @Sendable (Result<[Result<IngestResult, any Error>], any Error>) -> Void
    ) async

    /// The structural facts about the conversation the message would join (threaded as ``ingest`` would
    /// thread it), or nil when it would start a new one. Read before classifying, outside the ingest
    /// transaction.
    func conversationContext(for inbound: InboundMessage) async throws -> ConversationContext?

    /// How many automatic replies went to `recipient` since `since`: the auto-reply rate limit.
    func automaticReplyCount(recipient: String, since: Date) async throws -> Int

    /// ``conversationContext(for:)`` and, when that is nil, ``automaticReplyCount(recipient:since:)`` for
    /// the sender since `automaticRepliesSince`, read together: every inbound message needs them, and
    /// one read is one trip to the store instead of two.
    func intakeFacts(for inbound: InboundMessage, automaticRepliesSince: Date) async throws -> IntakeFacts

    /// ``intakeFacts(for:automaticRepliesSince:)`` for several messages, answered in their order and in
    /// one trip to the store: a mailbox fetch reads the facts of all its messages before preparing them.
    func intakeFacts(for batch: [(inbound: InboundMessage, automaticRepliesSince: Date)]) async throws -> [IntakeFacts]

    /// The committed position of a polled source's stream, or nil before its first message.
    func intakeCursor(source: String, stream: String) async throws -> IntakeCursor?
}

extension IntakeStore where PreparedIngest == IngestRequest {
    public func prepare(_ request: IngestRequest) -> IngestRequest { request }
}

extension IntakeStore {
    /// Prepares the requests (``prepare(_:)``) and stores them in one transaction, as
    /// ``ingest(prepared:)`` does: for callers that commit without the group committer.
    public func ingest(_ batch: [IngestRequest]) async throws -> [Result<IngestResult, any Error>] {
        try await ingest(prepared: batch.map(prepare))
    }

    /// The two reads one after the other, for stores that cannot do better.
    public func intakeFacts(for inbound: InboundMessage, automaticRepliesSince: Date) async throws -> IntakeFacts {
        if let context = try await conversationContext(for: inbound) { return .joins(context) }
        return .starts(automaticRepliesSent: try await automaticReplyCount(recipient: inbound.sender, since: automaticRepliesSince))
    }

    /// One read after the other, for stores that cannot do better.
    public func intakeFacts(for batch: [(inbound: InboundMessage, automaticRepliesSince: Date)]) async throws -> [IntakeFacts] {
        var facts: [IntakeFacts] = []
        facts.reserveCapacity(batch.count)
        for (inbound, since) in batch { facts.append(try await intakeFacts(for: inbound, automaticRepliesSince: since)) }
        return facts
    }

    public func ingestBatches(
        next: @escaping @Sendable () -> [PreparedIngest]?,
        finished: @escaping @Sendable (Result<[Result<IngestResult, any Error>], any Error>) -> Void
    ) async {
        while let batch = next() {
            do {
                finished(.success(try await ingest(prepared: batch)))
            } catch {
                finished(.failure(error))
            }
        }
    }

    /// Stores one inbound message in a transaction of its own (see ``ingest(prepared:)``).
    public func ingest(_ request: IngestRequest) async throws -> IngestResult {
        guard let result = try await ingest([request]).first else {
            throw SwitchboardError(.storageFailure, "the store returned no result for the message")
        }
        return try result.get()
    }
}
