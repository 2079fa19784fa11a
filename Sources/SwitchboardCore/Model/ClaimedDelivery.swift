/// An outbox entry claimed for an attempt, with what its channel needs to send it, read in the
/// transaction that claimed it: the dispatcher asks the store nothing else before the attempt.
public struct ClaimedDelivery: Sendable, Equatable {
    /// The entry, already `sending` and with this attempt counted.
    public var entry: OutboxEntry
    /// The reply's conversation; nil when it no longer exists, which fails the entry for good.
    public var conversation: Conversation?
    /// The conversation's newest inbound message, whose ids and subject an email reply cites; nil when
    /// the conversation has none. Read without its raw payload, which no channel sends.
    public var replyingTo: Message?

    public init(entry: OutboxEntry, conversation: Conversation?, replyingTo: Message?) {
        self.entry = entry
        self.conversation = conversation
        self.replyingTo = replyingTo
    }
}
