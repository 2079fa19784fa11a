import Foundation

/// A customer message as a channel adapter hands it over, before it is stored.
public struct InboundMessage: Sendable, Equatable {
    public var channel: ChannelKind
    /// The configured source it arrived through (a webhook source, a mailbox, an SMS gateway).
    public var source: String
    /// The sender's own id for the message, used to store a retried delivery once.
    public var externalID: String?
    public var sender: String
    public var recipients: [String]
    public var subject: String?
    public var text: String
    public var receivedAt: Date
    /// The bytes exactly as received, kept for audit and re-parsing.
    public var rawPayload: Data
    /// Ids that tie the message to earlier ones (email headers); empty for channels without them.
    public var thread: ThreadHints
    public var attachments: [MessageAttachment]
    /// What could not be read cleanly (malformed MIME, unknown charset); the message is kept anyway.
    public var warnings: [String]
    /// Why no automatic reply may be sent to this message (an auto-responder, a bounce, a mailing
    /// list, our own mail coming back), or nil. Set by the channel adapter and by intake's rate limit.
    public var autoReplySuppression: String?
    /// Where in a polled source the message was fetched, committed with it.
    public var cursor: IntakeCursor?

    public init(
        channel: ChannelKind,
        source: String,
        externalID: String? = nil,
        sender: String,
        recipients: [String] = [],
        subject: String? = nil,
        text: String,
        receivedAt: Date = Date(),
        rawPayload: Data = Data(),
        thread: ThreadHints = ThreadHints(),
        attachments: [MessageAttachment] = [],
        warnings: [String] = [],
        autoReplySuppression: String? = nil,
        cursor: IntakeCursor? = nil
    ) {
        self.channel = channel
        self.source = source
        self.externalID = externalID
        self.sender = sender
        self.recipients = recipients
        self.subject = subject
        self.text = text
        self.receivedAt = receivedAt
        self.rawPayload = rawPayload
        self.thread = thread
        self.attachments = attachments
        self.warnings = warnings
        self.autoReplySuppression = autoReplySuppression
        self.cursor = cursor
    }
}
