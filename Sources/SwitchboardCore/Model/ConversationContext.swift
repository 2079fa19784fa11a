import Foundation

/// What the gateway already knows about the customer's open conversation when a new message arrives:
/// the structural signals (writing again, waiting, reopening) that raise urgency when words do not.
public struct ConversationContext: Sendable, Codable, Equatable {
    /// Inbound messages already in the conversation.
    public var priorInboundMessages: Int
    /// When the customer last wrote before this message.
    public var lastInboundAt: Date?
    /// The oldest customer message not yet answered by an agent, if any: how long they have waited.
    public var waitingSince: Date?
    /// The conversation had been resolved; this message reopens it.
    public var reopening: Bool

    public init(priorInboundMessages: Int, lastInboundAt: Date?, waitingSince: Date?, reopening: Bool) {
        self.priorInboundMessages = priorInboundMessages
        self.lastInboundAt = lastInboundAt
        self.waitingSince = waitingSince
        self.reopening = reopening
    }
}
