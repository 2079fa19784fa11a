import ArgumentParser
import Foundation
import Gateway
import Rules
import StrictYAML
import SwitchboardCore

struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify JSON lines from standard input ({\"channel\", \"from\", \"subject\", \"text\", \"received_at\", \"context\"}); one JSON line out per line in.")

    @Option(help: "Rules directory.") var rules = "Rules"
    @Flag(help: "Include every match with its position and the scores.") var explain = false

    struct Output: Encodable {
        var urgency: String
        var sentiment: String
        var sentimentStrength: String?
        var intent: String?
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
        let edition = try CommandSupport.orExit { () throws(Problems) in try RuleDirectory.load(rules, channels: CommandSupport.channels) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var lineNumber = 0
        var failures = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let message: MessageLine
            do {
                message = try MessageLine.parse(line)
            } catch {
                failures += 1
                print(CommandSupport.jsonLine(["error": "line \(lineNumber): \(error)"]))
                continue
            }
            let result = edition.rules.classify(message.input)
            let matches = explain ? result.matches : result.matches.filter { !$0.negated }
            let output = Output(
                urgency: result.urgency.rawValue, sentiment: result.sentiment.rawValue,
                sentimentStrength: result.sentimentStrength?.rawValue, intent: result.intent, queue: result.route.queue,
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
