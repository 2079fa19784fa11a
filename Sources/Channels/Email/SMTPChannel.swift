import Curl
import Foundation
import Logging
import Mail
import Metrics
import SwitchboardCore

/// Delivers email replies through each source's SMTP relay, as RFC 5322 messages that thread in the
/// customer's mail client and carry the conversation token back to us.
public struct SMTPChannel: OutboundChannel {
    public var kind: ChannelKind { .email }

    private struct Route: Sendable {
        var source: EmailSource
        var client: SMTPRelayClient
        var token: ConversationToken
    }

    private let routes: [String: Route]
    private let composer = MailComposer()
    private let logger: Logger

    /// - Parameter metricsFactory: where a relay's refused OAuth2 logins are counted.
    public init(sources: [EmailSource], logger: Logger, metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance) {
        var routes: [String: Route] = [:]
        for source in sources {
            guard let relay = source.relay else { continue }
            routes[source.id] = Route(
                source: source, client: SMTPRelayClient(relay: relay, sourceID: source.id, logger: logger, metricsFactory: metricsFactory),
                token: ConversationToken(secret: source.threadSecret, domain: source.domain))
        }
        self.routes = routes
        self.logger = logger
    }

    /// A reply with its files, which go out as MIME parts of the same message.
    public func deliver(_ delivery: ClaimedDelivery, conversation: Conversation) async -> DeliveryOutcome {
        await send(delivery.entry, replyingTo: delivery.replyingTo, attachments: delivery.attachments)
    }

    public func deliver(_ entry: OutboxEntry, conversation: Conversation, replyingTo: Message?) async -> DeliveryOutcome {
        await send(entry, replyingTo: replyingTo, attachments: [])
    }

    /// Email carries files; their sizes and count are bounded by the source's attachment limits.
    public func validateAttachments(count: Int, source: String) throws(SwitchboardError) {}

    private func send(_ entry: OutboxEntry, replyingTo: Message?, attachments: [MessageAttachment]) async -> DeliveryOutcome {
        guard let route = routes[entry.source] else {
            return .failed(error: "email source '\(entry.source)' has no SMTP relay configured")
        }
        var files: [OutgoingMail.Attachment] = []
        for (index, attachment) in attachments.enumerated() {
            // Sending the reply without a file it names would tell the customer something false.
            guard let bytes = attachment.content else {
                return .failed(error: "attachment \(attachment.id ?? "#\(index + 1)") of the reply has no bytes to send")
            }
            files.append(OutgoingMail.Attachment(
                filename: attachment.name ?? "attachment", contentType: attachment.contentType, bytes: bytes))
        }
        let messageID = route.token.messageID(conversationID: entry.conversationID, outboxID: entry.id)
        let data: Data
        do {
            try composer.validateEnvelopeAddress(entry.recipient)
            try composer.validateEnvelopeAddress(route.source.address)
            var mail = Self.mail(for: entry, from: route.source, messageID: messageID, replyingTo: replyingTo)
            mail.attachments = files
            data = try composer.render(mail)
        } catch {
            return .failed(error: "cannot compose the email: \(error.message)")
        }
        switch await route.client.send(from: route.source.address, recipients: [entry.recipient], message: data) {
        case let .accepted(reply):
            return .delivered(detail: "SMTP \(reply)", messageID: messageID)
        case let .rejected(code, reply):
            // The server's own words stay on the outbox entry for the operator; they may name the address,
            // so they are not logged.
            logger.debug("SMTP relay refused a reply", metadata: ["outbox.id": "\(entry.id)", "smtp.code": "\(code)"])
            if (400..<500).contains(code) { return .retry(error: "SMTP \(reply)", after: nil) }
            return .failed(error: "SMTP \(reply)")
        case let .failed(error):
            return .retry(error: "SMTP relay unreachable: \(error.description)", after: nil)
        }
    }

    /// The message a reply becomes: Re: the customer's subject, citing their message so it threads.
    static func mail(for entry: OutboxEntry, from source: EmailSource, messageID: String, replyingTo: Message?) -> OutgoingMail {
        var references = replyingTo?.thread.references ?? []
        if let cited = replyingTo?.thread.messageID { references.append(cited) }
        var mail = OutgoingMail(
            from: MailAddress(name: source.displayName, address: source.address),
            to: [MailAddress(address: entry.recipient)],
            subject: replySubject(replyingTo?.subject),
            messageID: messageID, date: Date(), text: entry.body)
        mail.inReplyTo = replyingTo?.thread.messageID
        // Clients cope with long chains, but a short tail is all threading needs.
        mail.references = Array(references.suffix(20))
        mail.extraHeaders = [MailHeader(name: EmailSource.loopHeader, value: source.address)]
        if entry.automatic {
            // RFC 3834: tells the other side's responders not to answer, so two robots never loop.
            mail.extraHeaders.append(MailHeader(name: "Auto-Submitted", value: "auto-replied"))
            mail.extraHeaders.append(MailHeader(name: "X-Auto-Response-Suppress", value: "All"))
        }
        return mail
    }

    /// "Re: " and the customer's subject, without stacking prefixes.
    static func replySubject(_ subject: String?) -> String {
        let trimmed = (subject ?? "").trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return "Re: your message" }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("re:") || lower.hasPrefix("回复:") || lower.hasPrefix("回复：") || lower.hasPrefix("答复:") || lower.hasPrefix("答复：") {
            return trimmed
        }
        return "Re: " + trimmed
    }
}
