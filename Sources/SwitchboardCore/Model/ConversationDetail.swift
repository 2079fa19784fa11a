/// A conversation with everything an agent needs to pick it up, one page of each list at a time
/// (see ``ConversationDetailPage``).
public struct ConversationDetail: Sendable, Codable, Equatable {
    public var conversation: Conversation
    public var messages: [Message]
    public var outbox: [OutboxEntry]
    public var events: [AuditEvent]
    /// The SLA clocks as they stand now, in ``ClockKind`` order; empty for a store kept without clock rules.
    public var clocks: [ClockSummary]
    /// Where each list's next page starts; a list without one is complete.
    public var next: NextPages

    /// The cursors (their opaque text) of the lists that have more items than the page held.
    public struct NextPages: Sendable, Codable, Equatable {
        public var messages: String?
        public var outbox: String?
        public var events: String?

        public init(messages: String? = nil, outbox: String? = nil, events: String? = nil) {
            self.messages = messages
            self.outbox = outbox
            self.events = events
        }
    }

    public init(
        conversation: Conversation, messages: [Message], outbox: [OutboxEntry], events: [AuditEvent], clocks: [ClockSummary] = [],
        next: NextPages = NextPages()
    ) {
        self.clocks = clocks
        self.conversation = conversation
        self.messages = messages
        self.outbox = outbox
        self.events = events
        self.next = next
    }
}
