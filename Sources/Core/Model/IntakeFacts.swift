import Foundation

/// What intake reads before classifying a message, in one read of the store: the conversation it would
/// join, and for a message that would start one, how many automatic replies its sender already got.
public struct IntakeFacts: Sendable, Equatable {
    /// The open conversation's facts, or nil when the message would start a new conversation.
    public var context: ConversationContext?
    /// Automatic replies sent to the sender within the rate-limit window; read only when `context` is
    /// nil, as only a new conversation is acknowledged automatically.
    public var automaticRepliesSent: Int?

    public init(context: ConversationContext?, automaticRepliesSent: Int?) {
        self.context = context
        self.automaticRepliesSent = automaticRepliesSent
    }
}
