import Foundation

/// A stored message, inbound or outbound, with the classification it received.
public struct Message: Sendable, Codable, Equatable, Identifiable {
    public var id: String
    public var conversationID: String
    public var direction: Direction
    public var channel: ChannelKind
    public var source: String
    public var externalID: String?
    public var sender: String
    public var recipients: [String]
    public var subject: String?
    public var text: String
    public var receivedAt: Date
    /// What the channel delivered, byte for byte; nil when the read that produced the message left it out
    /// (a conversation's detail reads it only when asked to).
    public var rawPayload: Data?
    /// Why the message was classified and routed as it was; nil for outbound messages.
    public var classification: Classification?
    /// Email ids that tie it to other messages; empty for other channels.
    public var thread: ThreadHints
    /// How it found its conversation; nil for outbound messages.
    public var threadedBy: ThreadingStrategy?
    public var attachments: [MessageAttachment]
    /// What could not be read cleanly when it arrived.
    public var warnings: [String]

    public init(
        id: String,
        conversationID: String,
        direction: Direction,
        channel: ChannelKind,
        source: String,
        externalID: String?,
        sender: String,
        recipients: [String],
        subject: String?,
        text: String,
        receivedAt: Date,
        rawPayload: Data?,
        classification: Classification?,
        thread: ThreadHints = ThreadHints(),
        threadedBy: ThreadingStrategy? = nil,
        attachments: [MessageAttachment] = [],
        warnings: [String] = []
    ) {
        self.id = id
        self.conversationID = conversationID
        self.direction = direction
        self.channel = channel
        self.source = source
        self.externalID = externalID
        self.sender = sender
        self.recipients = recipients
        self.subject = subject
        self.text = text
        self.receivedAt = receivedAt
        self.rawPayload = rawPayload
        self.classification = classification
        self.thread = thread
        self.threadedBy = threadedBy
        self.attachments = attachments
        self.warnings = warnings
    }
}
