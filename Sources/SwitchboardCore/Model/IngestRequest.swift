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
    /// Stored only if the request just before it in the same batch was stored. The messages of one
    /// mailbox fetch form such a chain, in cursor order, so that one that fails stops the rest of the
    /// fetch (and with it the mailbox cursor) right there. A chain is committed in one transaction, never
    /// split across two.
    public var followsPrevious = false

    public init(inbound: InboundMessage, classification: Classification, slaDueAt: Date?, newConversationID: String, autoReply: PendingReply?) {
        self.inbound = inbound
        self.classification = classification
        self.slaDueAt = slaDueAt
        self.newConversationID = newConversationID
        self.autoReply = autoReply
    }
}
