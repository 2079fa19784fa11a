import Foundation
import Rules

/// `switchboard bench classify`: the full classification path against the raw matcher, on the same
/// database and bytes, in one run on one core, plus the compile time of a large term list.
public enum ClassifyBenchmark {
    public struct Options: Sendable {
        public var messages: Int
        public var seed: UInt64
        public var terms: Int
        public var regexes: Int
        public var compileTerms: Int
        public var rounds: Int
        /// A directory of lexicons (the shipped `Rules/lexicons`) added to the generated rule set, each read
        /// by a scoring signal and by an intent signal as the shipped rules read them; nil for none.
        public var lexicons: String?

        public init(
            messages: Int = 20_000, seed: UInt64 = 42, terms: Int = 2_000, regexes: Int = 50, compileTerms: Int = 100_000,
            rounds: Int = 3, lexicons: String? = nil
        ) {
            self.lexicons = lexicons
            self.messages = messages
            self.seed = seed
            self.terms = terms
            self.regexes = regexes
            self.compileTerms = compileTerms
            self.rounds = rounds
        }
    }

    public struct Report: Sendable, Encodable {
        public var messages: Int
        public var bytes: Int
        public var patterns: Int
        /// Best of the rounds, in seconds.
        public var fullPathSeconds: Double
        public var rawScanSeconds: Double
        public var normalizeSeconds: Double
        public var compileSeconds: Double
        public var compileTerms: Int
        /// How busy the corpus is: explained matches and fired signals per message.
        public var matchesPerMessage: Double
        public var signalsPerMessage: Double
        public var messagesPerSecond: Double { Double(messages) / fullPathSeconds }
        public var fullPathMBPerSecond: Double { Double(bytes) / fullPathSeconds / 1_000_000 }
        public var rawScanMBPerSecond: Double { Double(bytes) / rawScanSeconds / 1_000_000 }
        public var normalizeMBPerSecond: Double { Double(bytes) / normalizeSeconds / 1_000_000 }
        /// Full path speed as a fraction of the raw scan speed on the same bytes.
        public var ratioToRawScan: Double { rawScanSeconds / fullPathSeconds }
    }

    public static func run(_ options: Options, progress: (String) -> Void = { _ in }) throws -> Report {
        let corpus = BenchmarkCorpus.generate(messages: options.messages, termCount: options.terms, regexCount: options.regexes, seed: options.seed)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try corpus.writeRules(to: directory, lexicons: options.lexicons)
        let rules = try RuleSetLoader(directory: directory.path).load()
        let bytes = corpus.messages.reduce(0) { $0 + $1.subject.utf8.count + $1.text.utf8.count }
        let inputs = corpus.messages.enumerated().map { index, message in
            // Senders vary: some in the directory, some by domain, most unknown, some in mixed case.
            let sender = ["customer\(index % 700)@example.com", "Someone.\(index)@Example.com", "ops@partner\(index % 60).example"][index % 3]
            return ClassificationInput(channel: "webhook", source: "bench", sender: sender, subject: message.subject, text: message.text)
        }
        progress("corpus: \(corpus.messages.count) messages, \(bytes) bytes; rules: \(corpus.terms.count) terms, \(corpus.regexes.count) regexes → \(rules.patternCount) patterns")

        // Warm up tables and caches once, then take the best of several rounds of each.
        _ = inputs.prefix(200).map(rules.classify)
        var full = Double.infinity
        var raw = Double.infinity
        var normalize = Double.infinity
        var sink = 0
        for round in 1...options.rounds {
            full = min(full, time {
                for input in inputs { sink &+= rules.classify(input).urgencyScore }
            })
            raw = min(raw, time {
                for message in corpus.messages {
                    sink &+= rules.countRawMatches(subject: message.subject, text: message.text)
                }
            })
            normalize = min(normalize, time {
                for message in corpus.messages {
                    sink &+= FoldedText(message.subject).count &+ FoldedText(message.text).count
                }
            })
            progress("round \(round): full path \(format(full)) s, raw scan \(format(raw)) s, normalize \(format(normalize)) s")
        }

        var matches = 0
        var fired = 0
        for input in inputs {
            let result = rules.classify(input)
            matches += result.matches.count
            fired += result.firedSignals.count
        }

        var random = SeededGenerator(seed: options.seed &+ 1)
        var big = Set<String>()
        while big.count < options.compileTerms {
            let length = Int.random(in: 5...12, using: &random)
            big.insert(String((0..<length).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement(using: &random)! }))
        }
        let patterns = big.map { PatternDatabase.Pattern(kind: .keyword, text: $0) }
        let compile = try time { _ = try PatternDatabase(patterns: patterns) }
        if sink == 42 { progress("") }  // keeps the measured work from being optimized away
        return Report(
            messages: inputs.count, bytes: bytes, patterns: rules.patternCount, fullPathSeconds: full, rawScanSeconds: raw,
            normalizeSeconds: normalize, compileSeconds: compile, compileTerms: options.compileTerms,
            matchesPerMessage: Double(matches) / Double(inputs.count), signalsPerMessage: Double(fired) / Double(inputs.count))
    }

    static func time(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        return try clock.measure(body) / .seconds(1)
    }

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }
}
