/// One page of a queue's conversations (see ``QueueListing``).
public struct QueuePage: Sendable, Equatable {
    public var entries: [QueueEntry]
    /// Where the next page starts; nil on the last page.
    public var next: QueueCursor?

    public init(entries: [QueueEntry], next: QueueCursor?) {
        self.entries = entries
        self.next = next
    }
}
