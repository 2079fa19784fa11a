/// A conversation with everything an agent needs to pick it up.
public struct ConversationDetail: Sendable, Codable, Equatable {
    public var conversation: Conversation
    public var messages: [Message]
    public var outbox: [OutboxEntry]
    public var events: [AuditEvent]

    public init(conversation: Conversation, messages: [Message], outbox: [OutboxEntry], events: [AuditEvent]) {
        self.conversation = conversation
        self.messages = messages
        self.outbox = outbox
        self.events = events
    }
}
