/// An audit event as the live feed hands it on: its place in the store's sequence, and where its
/// conversation is now, so a scoped reader sees only what it may.
public struct FeedEvent: Sendable, Equatable {
    /// The event's sequence number in the store: increasing, so a reader resumes after the last it saw.
    public var sequence: Int64
    public var event: AuditEvent
    /// The conversation's queue and source as they are when the feed reads the event; nil when the
    /// conversation is gone (retention).
    public var queue: String?
    public var source: String?

    public init(sequence: Int64, event: AuditEvent, queue: String?, source: String?) {
        self.sequence = sequence
        self.event = event
        self.queue = queue
        self.source = source
    }
}
