import Channels
import Foundation
import Mail
import Rules
import SwitchboardCore

/// What `switchboard inspect` reports for one `.eml` file: what Switchboard reads in the message and what
/// the rules make of it, without storing anything.
public struct MailInspection: Encodable, Sendable {
    public var file: String
    public var subject: String?
    /// The sender's address; its display name is `fromName`.
    public var from: String?
    /// The From display name, RFC 2047 decoded (`王小明`), when the header gave one.
    public var fromName: String?
    public var to: [String]
    public var messageId: String?
    public var inReplyTo: [String]
    public var references: [String]
    public var textSource: String
    public var text: String
    public var attachments: [MessageAttachment]
    public var warnings: [String]
    /// Why no automatic reply would be sent to this message (out-of-office, bulk, a loop…), if so.
    public var autoReplySuppressed: String?
    public var classification: Outcome?
    public var error: String?

    /// The classification and route. `autoReply` is the acknowledgement that would actually be sent: absent
    /// when the route sends none or when the message suppresses it.
    public struct Outcome: Encodable, Sendable {
        public var urgency: String
        public var sentiment: String
        public var language: String
        public var signals: [String]
        public var queue: String
        public var route: String
        public var priority: Int
        public var sla: String
        public var autoReply: String?
    }

    /// Parses, normalizes and classifies one raw message as intake would, at `receivedAt`.
    public static func inspect(
        file: String, raw: Data, rules: RuleSet, normalizer: EmailNormalizer, receivedAt: Date = Date()
    ) -> MailInspection {
        let mail = normalizer.parse(raw)
        let inbound = normalizer.inbound(from: mail, raw: raw, receivedAt: receivedAt)
        let result = rules.classify(ClassificationInput(
            channel: inbound.channel.rawValue, source: inbound.source, sender: inbound.sender, subject: inbound.subject,
            text: inbound.text, receivedAt: inbound.receivedAt, context: nil))
        return MailInspection(
            file: file, subject: mail.subject, from: mail.from?.address,
            fromName: mail.from?.name.flatMap { $0.isEmpty ? nil : $0 }, to: mail.to.map(\.address),
            messageId: mail.messageID, inReplyTo: mail.inReplyTo, references: mail.references,
            textSource: mail.textSource.rawValue, text: mail.text, attachments: inbound.attachments, warnings: inbound.warnings,
            autoReplySuppressed: inbound.autoReplySuppression,
            classification: Outcome(
                urgency: result.urgency.rawValue, sentiment: result.sentiment.rawValue, language: result.language,
                signals: result.firedSignals, queue: result.route.queue, route: result.route.routeID,
                priority: result.route.priority, sla: result.route.slaPolicy,
                // Intake sends nothing to a message that suppresses automatic replies; neither may the report.
                autoReply: inbound.autoReplySuppression == nil ? result.route.autoReply : nil),
            error: nil)
    }

    /// The report for a file that could not be read.
    public static func unreadable(file: String) -> MailInspection {
        MailInspection(
            file: file, to: [], inReplyTo: [], references: [], textSource: "none", text: "", attachments: [], warnings: [],
            error: "cannot read the file")
    }
}
