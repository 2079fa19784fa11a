import Digests
import Foundation
import Mail
import SwitchboardCore

/// Turns the raw bytes of an email into the normalized inbound message, whichever way it arrived
/// (IMAP, an MTA's pipe, `switchboard ingest`). Never fails: what cannot be read becomes a warning and
/// the raw bytes are kept.
public struct EmailNormalizer: Sendable {
    public let source: EmailSource
    private let parser: MIMEParser
    private let token: ConversationToken
    private let ownAddresses: Set<String>

    public init(source: EmailSource, limits: MIMELimits = MIMELimits()) {
        self.source = source
        self.parser = MIMEParser(limits: limits)
        self.token = ConversationToken(secret: source.threadSecret, domain: source.domain)
        self.ownAddresses = Set(([source.address] + source.ownAddresses).map { $0.lowercased() })
    }

    /// The parsed message, for callers that also want to show it (`switchboard inspect`).
    public func parse(_ raw: Data) -> ParsedMail {
        parser.parse(raw)
    }

    /// The message as intake takes it.
    public func inbound(from raw: Data, receivedAt: Date = Date(), cursor: IntakeCursor? = nil) -> InboundMessage {
        inbound(from: parser.parse(raw), raw: raw, receivedAt: receivedAt, cursor: cursor)
    }

    public func inbound(from mail: ParsedMail, raw: Data, receivedAt: Date = Date(), cursor: IntakeCursor? = nil) -> InboundMessage {
        var warnings = mail.warnings
        let sender: String
        if let from = mail.from?.address, !from.isEmpty {
            sender = from.lowercased()
        } else if let returnPath = mail.returnPath, !returnPath.isEmpty {
            sender = returnPath.lowercased()
            warnings.append("no From address; the Return-Path is used as the sender")
        } else {
            sender = "unknown-sender@invalid"
            warnings.append("no From address and no Return-Path; the sender is unknown")
        }
        // A message without a Message-ID is still stored once: its bytes identify it.
        let externalID = mail.messageID ?? "sha256:" + Digest.hex(Digest.sha256(raw))
        let cited = mail.inReplyTo + mail.references.reversed()
        let verified = cited.lazy.compactMap { token.conversationID(fromMessageID: $0) }.first
        return InboundMessage(
            channel: .email, source: source.id, externalID: externalID, sender: sender,
            recipients: (mail.to + mail.cc).map { $0.address.lowercased() }, subject: mail.subject, text: mail.text,
            receivedAt: receivedAt, rawPayload: raw,
            thread: ThreadHints(
                messageID: mail.messageID, inReplyTo: mail.inReplyTo, references: mail.references,
                verifiedConversationID: verified),
            // Files over the source's limits are refused here, for mail fetched and pushed alike.
            attachments: source.attachmentPolicy.limits.apply(to: mail.attachments),
            warnings: warnings, autoReplySuppression: autoReplySuppression(mail, sender: sender), cursor: cursor)
    }

    /// Why this mail must not be answered automatically: the headers of auto-responders, bounces and
    /// lists, or mail from ourselves (by address, or carrying our loop header).
    func autoReplySuppression(_ mail: ParsedMail, sender: String) -> String? {
        if ownAddresses.contains(sender) { return "sent from one of our own addresses" }
        if let loop = mail.header(EmailSource.loopHeader) {
            return ownAddresses.contains(loop.trimmingCharacters(in: .whitespaces).lowercased())
                ? "carries our own \(EmailSource.loopHeader) header" : "carries a \(EmailSource.loopHeader) header"
        }
        return mail.automaticReason
    }
}
