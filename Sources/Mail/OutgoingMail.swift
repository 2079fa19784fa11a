import Foundation

/// A plain-text message to send, optionally with files. `MailComposer` turns it into RFC 5322 bytes.
public struct OutgoingMail: Sendable, Equatable {
    /// The author; its address must be a plain `local@domain`.
    public var from: MailAddress
    /// Primary recipients (To or Cc must name at least one).
    public var to: [MailAddress]
    /// Copy recipients.
    public var cc: [MailAddress]
    /// Where replies should go, when not to `from`.
    public var replyTo: [MailAddress]
    /// The subject, any Unicode; no line breaks.
    public var subject: String
    /// The Message-ID without angle brackets.
    public var messageID: String
    /// The parent's Message-ID without angle brackets.
    public var inReplyTo: String?
    /// The thread's Message-IDs without angle brackets, oldest first.
    public var references: [String]
    /// The Date field, written in UTC.
    public var date: Date
    /// Further fields such as Auto-Submitted or X-Loop, emitted after the standard ones. Fields the
    /// composer writes itself (From, Subject, Content-Type…) are refused here.
    public var extraHeaders: [MailHeader]
    /// The body; any line-ending convention.
    public var text: String
    /// Files sent after the text, in order; with none the message is a single text/plain part.
    public var attachments: [Attachment]

    /// A message; the optional fields default to empty.
    public init(
        from: MailAddress,
        to: [MailAddress],
        cc: [MailAddress] = [],
        replyTo: [MailAddress] = [],
        subject: String,
        messageID: String,
        inReplyTo: String? = nil,
        references: [String] = [],
        date: Date,
        extraHeaders: [MailHeader] = [],
        text: String,
        attachments: [Attachment] = []
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.replyTo = replyTo
        self.subject = subject
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.date = date
        self.extraHeaders = extraHeaders
        self.text = text
        self.attachments = attachments
    }
}
