import Foundation
import SwitchboardCore

/// A conversation as its row stores it: the model, and what the row keeps of the customer's inbound
/// messages for classifying the next one.
public struct ConversationRow: Sendable {
    public var conversation: Conversation
    /// Inbound messages stored in the conversation.
    public var inboundCount: Int
    public var lastInboundAt: Date?
    /// The first inbound message since an agent last replied, if any came: how long the customer waits.
    public var waitingSince: Date?

    public init(conversation: Conversation, inboundCount: Int, lastInboundAt: Date?, waitingSince: Date?) {
        self.conversation = conversation
        self.inboundCount = inboundCount
        self.lastInboundAt = lastInboundAt
        self.waitingSince = waitingSince
    }
}
