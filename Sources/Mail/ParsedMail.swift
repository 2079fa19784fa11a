import Foundation
import SwitchboardCore

/// A received message reduced to what the gateway needs: addressing, threading, readable text,
/// attachment summaries and the warnings met while parsing.
public struct ParsedMail: Sendable, Equatable {
    /// Top-level header fields in order.
    public var headers: [MailHeader]
    /// The Subject, RFC 2047 decoded, control characters other than tab replaced by spaces; nil when
    /// absent.
    public var subject: String?
    /// The first From address; display names are decoded the same way as `subject`.
    public var from: MailAddress?
    /// The Sender address.
    public var sender: MailAddress?
    /// Reply-To addresses.
    public var replyTo: [MailAddress]
    /// To addresses (from every To field).
    public var to: [MailAddress]
    /// Cc addresses (from every Cc field).
    public var cc: [MailAddress]
    /// The Message-ID without angle brackets; nil when absent or empty.
    public var messageID: String?
    /// In-Reply-To ids without angle brackets.
    public var inReplyTo: [String]
    /// References ids without angle brackets, in order.
    public var references: [String]
    /// The Date field; nil when absent or unreadable.
    public var date: Date?
    /// The Return-Path: nil when the field is absent, "" for the null return path `<>`.
    public var returnPath: String?
    /// The readable body: text/plain preferred, else text/html reduced to text; multipart/alternative
    /// picks plain, multipart/mixed joins inline text parts (not attachments) with a blank line.
    /// Line endings are `\n`; leading blank lines and trailing whitespace are trimmed.
    public var text: String
    /// Where `text` came from.
    public var textSource: TextSource
    /// Parts that are not readable text, in document order, each with its decoded bytes in `content`.
    public var attachments: [MessageAttachment]
    /// Human-readable parse warnings; they never contain header values, bodies or addresses, so
    /// they are safe to log.
    public var warnings: [String]

    /// A parsed message; `MIMEParser` builds these, tests and fakes may build their own.
    public init(
        headers: [MailHeader] = [],
        subject: String? = nil,
        from: MailAddress? = nil,
        sender: MailAddress? = nil,
        replyTo: [MailAddress] = [],
        to: [MailAddress] = [],
        cc: [MailAddress] = [],
        messageID: String? = nil,
        inReplyTo: [String] = [],
        references: [String] = [],
        date: Date? = nil,
        returnPath: String? = nil,
        text: String = "",
        textSource: TextSource = .none,
        attachments: [MessageAttachment] = [],
        warnings: [String] = []
    ) {
        self.headers = headers
        self.subject = subject
        self.from = from
        self.sender = sender
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.date = date
        self.returnPath = returnPath
        self.text = text
        self.textSource = textSource
        self.attachments = attachments
        self.warnings = warnings
    }

    /// The first top-level field with this name (case-insensitive): unfolded, raw, not decoded.
    public func header(_ name: String) -> String? {
        headers.first { ASCII.equalsIgnoringCase($0.name, name) }?.value
    }

    /// Every top-level field with this name (case-insensitive), in order.
    public func headers(named name: String) -> [String] {
        headers.filter { ASCII.equalsIgnoringCase($0.name, name) }.map(\.value)
    }
}
