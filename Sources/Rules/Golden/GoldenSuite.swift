import Foundation
import StrictYAML
import SwitchboardCore

/// Golden rule tests from `Rules/tests/*.yaml`: messages with the outcome ops expect, and replies with
/// the approval verdict ops expect.
public struct GoldenSuite: Sendable {
    public struct Case: Sendable {
        public var name: String
        public var origin: String
        public var check: Check
    }

    /// What a case checks.
    public enum Check: Sendable {
        /// A message (`message:`) and its expected classification and route.
        case classification(ClassificationInput, expect: [String: [String]])
        /// A reply (`reply:`) and its expected approval verdict (`approval.yaml`).
        case approval(ApprovalCase)
    }

    /// A case's outcome: the differences between expected and actual, empty when it passed.
    public struct Result: Sendable {
        public var testCase: Case
        public var failures: [String]
        public var passed: Bool { failures.isEmpty }
    }

    public var cases: [Case]

    /// The arrival time of a case that does not set `received_at`.
    public static let defaultReceivedAt = ISO8601DateFormatter().date(from: "2026-01-05T10:00:00+08:00")!

    static let expectKeys = ["urgency", "sentiment", "sentiment_strength", "intent", "queue", "route", "priority", "signals", "not_signals", "auto_reply"]

    /// Loads every `*.yaml` under `directory`; problems carry positions.
    public static func load(directory: String) throws(Problems) -> GoldenSuite {
        let log = ProblemLog()
        var cases: [Case] = []
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                log.report("cannot read file as UTF-8", file: path)
                continue
            }
            let root: YAMLValue
            switch YAMLValue.parse(text, file: path) {
            case let .success(value?): root = value
            case .success(nil): continue
            case let .failure(problem):
                log.report(problem)
                continue
            }
            guard let top = root.mapping(log, what: "golden test file", allowed: ["cases"]) else { continue }
            for item in top.required("cases", in: "golden test file", log)?.items(log, what: "cases") ?? [] {
                guard let map = item.mapping(log, what: "case", allowed: ["name", "message", "reply", "expect"]),
                      let name = map.string("name", in: "case", required: true, log) else { continue }
                if let reply = map["reply"] {
                    if map["message"] != nil { log.report("case '\(name)' has both message and reply; give one", at: reply) }
                    if let approval = ApprovalCase.parse(reply: reply, expect: map.required("expect", in: "case '\(name)'", log), log) {
                        cases.append(Case(name: name, origin: "\(path):\(item.line):\(item.column)", check: .approval(approval)))
                    }
                    continue
                }
                guard let message = map.required("message", in: "case '\(name)' (or reply, for an approval case)", log)?
                        .mapping(log, what: "message", allowed: MessageLine.keys.filter { $0 != "id" }),
                      let expectation = map.required("expect", in: "case '\(name)'", log)?
                        .mapping(log, what: "expect", allowed: expectKeys)
                else { continue }
                guard let channel = message.string("channel", in: "message", required: true, log),
                      let body = message.string("text", in: "message", required: true, log) else { continue }
                // A fixed default keeps time-dependent routes (business hours) from depending on when the
                // suite runs: Monday 2026-01-05 10:00 in Shanghai, inside ordinary business hours.
                var receivedAt = GoldenSuite.defaultReceivedAt
                if let value = message["received_at"], let text = value.string(log, what: "received_at") {
                    if let date = ISO8601DateFormatter().date(from: text) { receivedAt = date } else {
                        log.report("'\(text)' is not an ISO 8601 time like 2026-11-21T23:30:00+08:00", at: value)
                    }
                }
                var context: ConversationContext?
                if let value = message["context"], let facts = value.mapping(log, what: "context", allowed: MessageLine.contextKeys) {
                    func ago(_ key: String) -> Date? {
                        guard let text = facts.string(key, in: "context", log) else { return nil }
                        guard let seconds = DurationText.seconds(text) else {
                            log.report("'\(text)' is not a duration", at: facts[key]!)
                            return nil
                        }
                        return receivedAt.addingTimeInterval(-seconds)
                    }
                    context = ConversationContext(
                        priorInboundMessages: facts.int("prior_inbound_messages", in: "context", log) ?? 0,
                        lastInboundAt: ago("last_inbound_ago"), waitingSince: ago("waiting_for"),
                        reopening: facts.bool("reopening", log) ?? false)
                }
                var expect: [String: [String]] = [:]
                for entry in expectation.entries {
                    expect[entry.key] = entry.value.stringList(log, what: entry.key)?.map(\.0) ?? []
                }
                cases.append(Case(
                    name: name, origin: "\(path):\(item.line):\(item.column)",
                    check: .classification(ClassificationInput(
                        channel: channel, source: message.string("source", in: "message", log) ?? "golden",
                        sender: message.string("from", in: "message", log) ?? "customer@example.com",
                        subject: message.string("subject", in: "message", log), text: body, receivedAt: receivedAt,
                        context: context),
                    expect: expect)))
            }
        }
        try log.throwIfAny()
        return GoldenSuite(cases: cases)
    }

    /// Runs every case against a rule set.
    public func run(_ rules: RuleSet) -> [Result] {
        cases.map { testCase in
            switch testCase.check {
            case let .classification(input, expect):
                Result(testCase: testCase, failures: Self.failures(of: input, expect: expect, rules))
            case let .approval(approval):
                Result(testCase: testCase, failures: approval.failures(rules.approval))
            }
        }
    }

    private static func failures(of input: ClassificationInput, expect: [String: [String]], _ rules: RuleSet) -> [String] {
        let outcome = rules.classify(input)
        var failures: [String] = []
        func check(_ key: String, _ actual: String) {
            guard let expected = expect[key]?.first else { return }
            if expected != actual { failures.append("\(key): expected \(expected), got \(actual)") }
        }
        check("urgency", outcome.urgency.rawValue)
        check("sentiment", outcome.sentiment.rawValue)
        check("sentiment_strength", outcome.sentimentStrength?.rawValue ?? "none")
        check("intent", outcome.intent ?? "none")
        check("queue", outcome.route.queue)
        check("route", outcome.route.routeID)
        check("priority", String(outcome.route.priority))
        check("auto_reply", outcome.route.autoReply ?? "none")
        let fired = Set(outcome.firedSignals)
        for signal in expect["signals"] ?? [] where !fired.contains(signal) {
            failures.append("signal \(signal) should have fired (fired: \(fired.sorted().joined(separator: ", ")))")
        }
        for signal in expect["not_signals"] ?? [] where fired.contains(signal) {
            let terms = outcome.matches.filter { $0.signal == signal && !$0.negated }.map(\.term)
            failures.append("signal \(signal) should not have fired (terms: \(terms.joined(separator: ", ")))")
        }
        return failures
    }
}
