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

    public init(
        channel: ChannelKind,
        source: String,
        externalID: String? = nil,
        sender: String,
        recipients: [String] = [],
        subject: String? = nil,
        text: String,
        receivedAt: Date = Date(),
        rawPayload: Data = Data()
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
    }
}
