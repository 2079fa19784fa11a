import Foundation

/// One inbound message ready to store: classified, routed, its acknowledgement rendered.
public struct IngestRequest: Sendable {
    public var inbound: InboundMessage
    public var classification: Classification
    /// The first-response deadline for a conversation this message starts, or a tighter one if the decision
    /// moves an existing conversation to a more urgent route.
    public var slaDueAt: Date?
    /// The id to give the conversation if this message starts one (the automatic reply was rendered with it).
    public var newConversationID: String
    /// Committed only when the message starts a new conversation.
    public var autoReply: PendingReply?
    /// What the store worked out ahead of its writer (``MessageStore/prepare(_:)``), in a form only that
    /// store reads; nil until then.
    public var prepared: (any Sendable)?

    public init(inbound: InboundMessage, classification: Classification, slaDueAt: Date?, newConversationID: String, autoReply: PendingReply?) {
        self.inbound = inbound
        self.classification = classification
        self.slaDueAt = slaDueAt
        self.newConversationID = newConversationID
        self.autoReply = autoReply
    }
}
