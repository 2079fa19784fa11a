/// What a channel knows about where a message belongs beyond who sent it: its own id and the ids of
/// the messages it answers. Email fills these from Message-ID, In-Reply-To and References.
public struct ThreadHints: Sendable, Codable, Equatable {
    /// The message's own id in its channel's terms (an email Message-ID without angle brackets),
    /// recorded so later replies that cite it join the same conversation.
    public var messageID: String?
    /// Ids of the messages this one directly answers.
    public var inReplyTo: [String]
    /// Ids of earlier messages in the thread, oldest first.
    public var references: [String]
    /// A conversation id taken from a token the gateway signed itself and the adapter verified
    /// (for email, carried in our outgoing Message-ID). Unverified ids never go here.
    public var verifiedConversationID: String?

    public init(messageID: String? = nil, inReplyTo: [String] = [], references: [String] = [], verifiedConversationID: String? = nil) {
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.verifiedConversationID = verifiedConversationID
    }

    /// True when the channel gave nothing beyond the sender to thread by.
    public var isEmpty: Bool {
        messageID == nil && inReplyTo.isEmpty && references.isEmpty && verifiedConversationID == nil
    }
}

/// How a stored message found its conversation, recorded on the message so a misthreaded reply can be
/// explained.
public enum ThreadingStrategy: String, Sendable, Codable, CaseIterable {
    /// A conversation token the gateway signed (in our outgoing Message-ID) and verified on the way back.
    case token
    /// In-Reply-To named a message already in a conversation.
    case inReplyTo = "in_reply_to"
    /// References named a message already in a conversation.
    case references
    /// The customer's open conversation on the same channel and source.
    case sender
    /// None of the above: the message started a conversation.
    case new
    /// Not a message of a conversation: the customer's answer to a satisfaction survey (an SMS "5"),
    /// recorded on the survey.
    case surveyAnswer = "survey_answer"
}
