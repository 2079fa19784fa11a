/// What an agent's reply request did.
public enum EnqueueResult: Sendable, Equatable {
    /// A new outbox entry was committed.
    case created(OutboxEntry)
    /// The same idempotency key with the same request was seen before: this is its entry.
    case replayed(OutboxEntry)
    /// The same idempotency key came with a different request.
    case conflict
}
