import Foundation

/// What intake reads before classifying a message, in one read of the store: the conversation it would
/// join, or, for a message that would start one, how many automatic replies its sender already got.
public enum IntakeFacts: Sendable, Equatable {
    /// The message would join an open conversation; what classification reads of it.
    case joins(ConversationContext)
    /// The message would start a conversation, and its sender got this many automatic replies within the
    /// rate-limit window (only a new conversation is acknowledged automatically).
    case starts(automaticRepliesSent: Int)

    /// The open conversation's facts, or nil when the message would start a new conversation.
    public var context: ConversationContext? {
        if case let .joins(context) = self { context } else { nil }
    }
}
