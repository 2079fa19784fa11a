import Digests
import Foundation
import StrictYAML
import SwitchboardCore

/// Loads a rule directory strictly: every problem in every file is reported with its position, and
/// no rule set is returned unless all of it is valid.
public struct RuleSetLoader {
    public let directory: String
    /// Script ids that exist on disk, so routes cannot name a missing one.
    public let availableScripts: Set<String>?
    /// The channels `channel:` conditions may name: those the gateway runs.
    public let channels: [ChannelKind]

    public init(directory: String, availableScripts: Set<String>? = nil, channels: [ChannelKind] = ChannelKind.known) {
        self.directory = directory
        self.availableScripts = availableScripts
        self.channels = channels
    }

    /// The rule set, or every problem found.
    public func load() throws(Problems) -> RuleSet {
        let log = ProblemLog()
        var hashed: [(String, Data)] = []
        var lexicons: [String: [(String, String)]] = [:]

        func read(_ name: String, required: Bool) -> YAMLValue? {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                if required { log.report("required rule file is missing", file: path) }
                return nil
            }
            hashed.append((name, data))
            guard let text = String(data: data, encoding: .utf8) else {
                log.report("file is not valid UTF-8", file: path)
                return nil
            }
            switch YAMLValue.parse(text, file: path) {
            case let .success(value):
                if value == nil { log.report("file is empty", file: path) }
                return value
            case let .failure(problem):
                log.report(problem)
                return nil
            }
        }

        // Lexicons first, so signals can refer to them.
        let lexiconDirectory = (directory as NSString).appendingPathComponent("lexicons")
        let lexiconFiles = ((try? FileManager.default.contentsOfDirectory(atPath: lexiconDirectory)) ?? []).sorted()
        for file in lexiconFiles where file.hasSuffix(".txt") {
            let path = (lexiconDirectory as NSString).appendingPathComponent(file)
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            hashed.append(("lexicons/" + file, data))
            guard let text = String(data: data, encoding: .utf8) else {
                log.report("lexicon is not valid UTF-8", file: path)
                continue
            }
            var terms: [(String, String)] = []
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                terms.append((trimmed, "\(path):\(index + 1):1"))
            }
            if terms.isEmpty { log.report("lexicon has no terms", file: path) }
            lexicons[String(file.dropLast(4))] = terms
        }
        lexicons = TraditionalSpellings.adding(to: lexicons)

        let classifiers = read("classifiers.yaml", required: true)
        let routesFile = read("routes.yaml", required: true)
        let slaFile = read("sla.yaml", required: true)
        let customersFile = read("customers.yaml", required: false)
        let calendarsFile = read("calendars.yaml", required: false)
        let approvalFile = read("approval.yaml", required: false)
        let surveysFile = read("surveys.yaml", required: false)

        let calendars = calendarsFile.map { parseCalendars($0, log) } ?? [:]
        let (slaPolicies, breachQueues) = slaFile.map { parseSLA($0, calendars: calendars, log) } ?? ([:], [])
        let customers = customersFile.map { parseCustomers($0, log) } ?? .empty
        let approval = approvalFile.flatMap { parseApproval($0, log) }
        let parsedClassifiers = classifiers.map { parseClassifiers($0, lexicons: lexicons, calendars: calendars, log) }
        let signals = parsedClassifiers?.signals ?? []
        let (queues, routes, escalation) = routesFile.map {
            // Signals and intents are only checked against a classifiers.yaml that could be read.
            parseRoutes($0, signals: parsedClassifiers.map { Set($0.signals.map(\.id)) }, intents: parsedClassifiers?.intents, slaPolicies: slaPolicies, calendars: calendars, log)
        } ?? ([], [], [])
        if routesFile != nil {
            let queueIDs = Set(queues.map(\.id))
            for reference in breachQueues where !queueIDs.contains(reference.queue) {
                log.report("SLA policy '\(reference.policy)' escalates to queue '\(reference.queue)' on breach, which is not defined under queues in routes.yaml", at: reference.position)
            }
        }
        // After routes and SLA: the follow-up names a queue and a policy. Without a routes.yaml (reported
        // above) its queue cannot be checked, and is not reported a second time.
        let surveys = surveysFile.flatMap {
            parseSurveys($0, queues: routesFile == nil ? nil : Set(queues.map(\.id)), slaPolicies: slaPolicies, slaLoaded: slaFile != nil, log)
        }

        // Compile every term into one database; each regex is checked on its own first so a bad one is
        // reported where it is written. A term several signals share (a lexicon read by an urgency, a
        // sentiment and an intent signal) is compiled once and its hits handed to each of them: vectorscan's
        // compile time grows faster than the pattern count.
        var patterns: [PatternDatabase.Pattern] = []
        var ownersOfPattern: [[(signal: Int, term: Int)]] = []
        var patternIndex: [PatternDatabase.Pattern: Int] = [:]
        var refused: [String: String] = [:]
        for (signalIndex, signal) in signals.enumerated() {
            for (termIndex, term) in signal.terms.enumerated() {
                let pattern = PatternDatabase.Pattern(kind: term.kind == .regex ? .regex : .keyword, text: term.text)
                if let index = patternIndex[pattern] {
                    ownersOfPattern[index].append((signalIndex, termIndex))
                    continue
                }
                // Keywords compile as escaped literals, which vectorscan always accepts (and a surprise
                // still lands on the term's own position through the compile error below), so only regexes
                // are checked one by one: that check costs a compile each, once per distinct regex (a refused
                // one is reported wherever it is written).
                if term.kind == .regex, let message = refused[term.text] ?? PatternDatabase.validate(pattern) {
                    refused[term.text] = message
                    log.report(Problem(origin: term.origin, message: "regex '\(term.text)' of signal '\(signal.id)' cannot be used: \(message)"))
                    continue
                }
                patternIndex[pattern] = patterns.count
                patterns.append(pattern)
                ownersOfPattern.append([(signalIndex, termIndex)])
            }
        }
        let owners = PatternOwners(ownersOfPattern)
        if patterns.count > RuleSetLoader.maximumPatterns {
            log.report("the rule set has \(patterns.count) terms and patterns; at most \(RuleSetLoader.maximumPatterns) are allowed", file: directory)
        }
        try log.throwIfAny()

        let database: PatternDatabase
        do {
            database = try CompiledPatterns.database(for: patterns)
        } catch {
            let origin = error.pattern.map { signals[ownersOfPattern[$0][0].signal].terms[ownersOfPattern[$0][0].term].origin }
            throw Problems([origin.map { Problem(origin: $0, message: error.message) } ?? Problem(file: directory, line: 0, column: 0, message: error.message)])
        }

        // The version covers every file of the directory that affects outcomes (scripts and reply settings
        // too), but not the golden tests.
        var covered = Set(hashed.map(\.0))
        if let enumerator = FileManager.default.enumerator(atPath: directory) {
            while let path = enumerator.nextObject() as? String {
                guard !path.hasPrefix("tests/"), !covered.contains(path), enumerator.fileAttributes?[.type] as? FileAttributeType == .typeRegular,
                      let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(path)) else { continue }
                hashed.append((path, data))
                covered.insert(path)
            }
        }
        var hasher = Data()
        for (name, data) in hashed.sorted(by: { $0.0 < $1.0 }) {
            hasher.append(Data(name.utf8))
            hasher.append(0)
            hasher.append(data)
            hasher.append(0)
        }
        let version = String(Digest.hex(Digest.sha256(hasher)).prefix(16))

        guard let parsedClassifiers else { throw Problems(log.problems) }
        return RuleSet(
            version: version, directory: directory, negation: parsedClassifiers.negation,
            intensity: parsedClassifiers.intensity, calendars: calendars,
            urgencyLevels: parsedClassifiers.urgency, sentimentLevels: parsedClassifiers.sentiment, intents: parsedClassifiers.intents,
            signals: signals, routes: routes, queues: queues, slaPolicies: slaPolicies, escalation: escalation, customers: customers,
            approval: approval, surveys: surveys, database: database, patternOwners: owners)
    }

    /// The most terms and patterns one rule set may compile.
    public static let maximumPatterns = 200_000
    /// The longest single term or pattern, in bytes.
    public static let maximumPatternLength = 1_000
}

extension Problem {
    /// A problem at a `file:line:column` origin string.
    init(origin: String, message: String) {
        let parts = origin.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count >= 3, let line = Int(parts[parts.count - 2]), let column = Int(parts[parts.count - 1]) {
            self.init(file: parts.dropLast(2).joined(separator: ":"), line: line, column: column, message: message)
        } else {
            self.init(file: origin, line: 0, column: 0, message: message)
        }
    }
}
