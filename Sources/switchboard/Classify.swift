import ArgumentParser
import Foundation
import Gateway
import Rules
import StrictYAML
import SwitchboardCore

struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify JSON lines from standard input ({\"channel\", \"from\", \"subject\", \"text\"}); one JSON line out per line in.")

    @Option(help: "Rules directory.") var rules = "Rules"
    @Flag(help: "Include every match with its position and the scores.") var explain = false

    struct Input: Decodable {
        var id: String?
        var channel: String?
        var source: String?
        var from: String?
        var subject: String?
        var text: String
        /// ISO 8601 arrival time, for business-hours rules (default: now).
        var receivedAt: String?
        /// Facts of the open conversation, as in golden tests.
        var context: Context?

        struct Context: Decodable {
            var priorInboundMessages: Int?
            var lastInboundAgo: String?
            var waitingFor: String?
            var reopening: Bool?
        }

        enum CodingKeys: String, CodingKey {
            case id, channel, source, from, subject, text, context
            case receivedAt = "received_at"
        }

        /// The classification input this line describes.
        func classificationInput() throws -> ClassificationInput {
            var at = Date()
            if let receivedAt {
                guard let parsed = ISO8601DateFormatter().date(from: receivedAt) else { throw ValidationError("received_at '\(receivedAt)' is not ISO 8601") }
                at = parsed
            }
            var facts: ConversationContext?
            if let context {
                func ago(_ text: String?) throws -> Date? {
                    guard let text else { return nil }
                    guard let seconds = DurationText.seconds(text) else { throw ValidationError("'\(text)' is not a duration") }
                    return at.addingTimeInterval(-seconds)
                }
                facts = ConversationContext(
                    priorInboundMessages: context.priorInboundMessages ?? 0, lastInboundAt: try ago(context.lastInboundAgo),
                    waitingSince: try ago(context.waitingFor), reopening: context.reopening ?? false)
            }
            return ClassificationInput(
                channel: channel ?? "webhook", source: source ?? "cli", sender: from ?? "", subject: subject, text: text,
                receivedAt: at, context: facts)
        }
    }

    struct Output: Encodable {
        var urgency: String
        var sentiment: String
        var queue: String
        var route: String
        var priority: Int
        var sla: String
        var autoReply: String?
        var language: String
        var customerTier: String
        var signals: [String]
        var matches: [SignalMatch]
        var scores: [String: Int]?
        var routesFired: [String]?
        var routeReasons: [RouteReason]?
        var rulesVersion: String?
    }

    func run() async throws {
        let edition = try CommandSupport.orExit { () throws(Problems) in try RuleDirectory.load(rules) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var lineNumber = 0
        var failures = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let input = try? JSONDecoder().decode(Input.self, from: Data(line.utf8)),
                  let classificationInput = try? input.classificationInput() else {
                failures += 1
                print(#"{"error":"line \#(lineNumber): expected a JSON object with at least \"text\" (and a valid received_at and context, if given)"}"#)
                continue
            }
            let result = edition.rules.classify(classificationInput)
            let matches = explain ? result.matches : result.matches.filter { !$0.negated }
            let output = Output(
                urgency: result.urgency.rawValue, sentiment: result.sentiment.rawValue, queue: result.route.queue,
                route: result.route.routeID, priority: result.route.priority, sla: result.route.slaPolicy,
                autoReply: result.route.autoReply, language: result.language, customerTier: result.customerTier.rawValue,
                signals: result.firedSignals, matches: matches,
                scores: explain ? ["urgency": result.urgencyScore, "sentiment": result.sentimentScore] : nil,
                routesFired: explain ? result.route.fired : nil, routeReasons: explain ? result.route.reasons : nil,
                rulesVersion: explain ? result.rulesVersion : nil)
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

import Pipeline
