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
    /// For a survey's question, where the channel's own system posts the answer.
    public var surveyURL: String?
    /// The files the reply carries, with their bytes, in order.
    public var attachments: [MessageAttachment]

    public init(
        entry: OutboxEntry, conversation: Conversation?, replyingTo: Message?, surveyURL: String? = nil, attachments: [MessageAttachment] = []
    ) {
        self.attachments = attachments
        self.surveyURL = surveyURL
        self.entry = entry
        self.conversation = conversation
        self.replyingTo = replyingTo
    }
}
