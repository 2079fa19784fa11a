/// What storing an inbound message did.
public struct IngestResult: Sendable, Equatable {
    public var messageID: String
    public var conversationID: String
    /// True when the same source had already delivered this external id: nothing new was stored.
    public var duplicate: Bool
    /// True when the message started a new conversation.
    public var newConversation: Bool
    /// The automatic reply committed with the message, if any.
    public var autoReplyID: String?
    /// How the message found its conversation (for a duplicate, how the first copy did).
    public var threadedBy: ThreadingStrategy
    /// Why no automatic reply was sent, when one would have been.
    public var autoReplySuppressed: String?

    public init(
        messageID: String, conversationID: String, duplicate: Bool, newConversation: Bool, autoReplyID: String?,
        threadedBy: ThreadingStrategy = .new, autoReplySuppressed: String? = nil
    ) {
        self.messageID = messageID
        self.conversationID = conversationID
        self.duplicate = duplicate
        self.newConversation = newConversation
        self.autoReplyID = autoReplyID
        self.threadedBy = threadedBy
        self.autoReplySuppressed = autoReplySuppressed
    }
}
