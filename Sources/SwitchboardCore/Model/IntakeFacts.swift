import Foundation

/// What intake reads before classifying a message, in one read of the store: the conversation it would
/// join, or, for a message that would start one, how many automatic replies its sender already got.
public enum IntakeFacts: Sendable, Equatable {
    /// The message would join an open conversation; what classification reads of it, and the
    /// conversation's id where the store tells it (intake uses it to see which messages of a batch may
    /// share a transaction without one changing what the other would have read).
    case joins(ConversationContext, conversationID: String? = nil)
    /// The message would start a conversation, and its sender got this many automatic replies within the
    /// rate-limit window (only a new conversation is acknowledged automatically).
    case starts(automaticRepliesSent: Int)

    /// The open conversation's facts, or nil when the message would start a new conversation.
    public var context: ConversationContext? {
        if case let .joins(context, _) = self { context } else { nil }
    }

    /// The id of the conversation the message would join, when the store told it.
    public var conversationID: String? {
        if case let .joins(_, id) = self { id } else { nil }
    }
}
