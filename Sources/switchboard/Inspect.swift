import ArgumentParser
import Channels
import Foundation
import Gateway
import Mail
import Rules
import StrictYAML
import SwitchboardCore

/// `switchboard inspect FILE.eml…`: what Switchboard reads in each message and what the rules make of
/// it, one JSON line per file, without storing anything.
struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse .eml files and print, per file, one JSON line: the normalized message, its classification and route.")

    @Argument(help: "RFC 5322 message files.") var files: [String]
    @Option(help: "Rules directory.") var rules = "Rules"

    struct Output: Encodable {
        var file: String
        var subject: String?
        var from: String?
        var to: [String]
        var messageId: String?
        var inReplyTo: [String]
        var references: [String]
        var textSource: String
        var text: String
        var attachments: [MessageAttachment]
        var warnings: [String]
        var autoReplySuppressed: String?
        var classification: Classification?
        var error: String?
    }

    struct Classification: Encodable {
        var urgency: String
        var sentiment: String
        var language: String
        var signals: [String]
        var queue: String
        var route: String
        var priority: Int
        var sla: String
        var autoReply: String?
    }

    func run() async throws {
        let edition = try CommandSupport.orExit { () throws(Problems) in try RuleDirectory.load(rules) }
        // No deployment needed: a throwaway source, whose own tokens nothing here will carry.
        let normalizer = EmailNormalizer(source: EmailSource(id: "inspect", address: "inspect@switchboard.invalid", threadSecret: UUID().uuidString))
        var failed = false
        for file in files {
            guard let raw = FileManager.default.contents(atPath: file) else {
                failed = true
                print(CommandSupport.jsonLine(Output(
                    file: file, to: [], inReplyTo: [], references: [], textSource: "none", text: "", attachments: [], warnings: [],
                    error: "cannot read the file")))
                continue
            }
            let mail = normalizer.parse(raw)
            let inbound = normalizer.inbound(from: mail, raw: raw)
            let result = edition.rules.classify(ClassificationInput(
                channel: inbound.channel.rawValue, source: inbound.source, sender: inbound.sender, subject: inbound.subject,
                text: inbound.text, receivedAt: inbound.receivedAt, context: nil))
            print(CommandSupport.jsonLine(Output(
                file: file, subject: mail.subject, from: mail.from?.address, to: mail.to.map(\.address), messageId: mail.messageID,
                inReplyTo: mail.inReplyTo, references: mail.references, textSource: mail.textSource.rawValue, text: mail.text,
                attachments: inbound.attachments, warnings: inbound.warnings, autoReplySuppressed: inbound.autoReplySuppression,
                classification: Classification(
                    urgency: result.urgency.rawValue, sentiment: result.sentiment.rawValue, language: result.language,
                    signals: result.firedSignals, queue: result.route.queue, route: result.route.routeID,
                    priority: result.route.priority, sla: result.route.slaPolicy, autoReply: result.route.autoReply),
                error: nil)))
        }
        if failed { throw ExitCode(1) }
    }
}
