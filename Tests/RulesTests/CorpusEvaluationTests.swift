import Foundation
import Rules
import SwitchboardCore
import TestSupport
import Testing

/// `switchboard rules eval`'s reading of a labelled corpus: strict lines, scores by the textbook formulas,
/// and misses that say why.
@Suite("Labelled corpus evaluation")
struct CorpusEvaluationTests {
    @Test("precision, recall, F1 and macro-F1 follow their definitions on a worked matrix")
    func scores() {
        var matrix = ConfusionMatrix(labels: ["a", "b", "c"])
        // a: 3 right, 1 read as b; b: 2 right, 2 read as a; c: 1 right. Nothing labelled d, one read as d.
        for (expected, actual, count) in [("a", "a", 3), ("a", "b", 1), ("b", "b", 2), ("b", "a", 2), ("c", "c", 1), ("c", "d", 1)] {
            for _ in 0..<count { matrix.add(expected: expected, actual: actual) }
        }
        #expect(matrix.labels == ["a", "b", "c", "d"])
        #expect(matrix.total == 10)
        #expect(matrix.accuracy == 0.6)
        let scores = Dictionary(uniqueKeysWithValues: matrix.classScores.map { ($0.label, $0) })
        #expect(scores["a"]!.precision == 3.0 / 5.0)
        #expect(scores["a"]!.recall == 3.0 / 4.0)
        #expect(abs(scores["a"]!.f1 - 2.0 / 3.0) < 1e-12)
        #expect(scores["b"]!.precision == 2.0 / 3.0)
        #expect(scores["b"]!.recall == 0.5)
        #expect(scores["c"]!.precision == 1)
        #expect(scores["c"]!.recall == 0.5)
        #expect(scores["d"]!.support == 0)
        let expectedMacro = (2.0 / 3.0 + 2 * (2.0 / 3.0) * 0.5 / (2.0 / 3.0 + 0.5) + 2.0 / 3.0) / 3
        #expect(abs(matrix.macroF1 - expectedMacro) < 1e-12)
    }

    func write(_ lines: [String]) throws -> URL {
        let directory = try Fixtures.temporaryDirectory()
        try (lines.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("corpus.jsonl"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test("a line that breaks the format is refused with its file, line and the key at fault", arguments: [
        (#"{"id":"x","channel":"sms","lang":"en","text":"hi","urgency":"normal","sentiment":"negative","intent":"inquiry"}"#, "strength is required"),
        (#"{"id":"x","channel":"sms","lang":"en","text":"hi","urgency":"normal","sentiment":"neutral","strength":"mild","intent":"inquiry"}"#, "strength is only for negative"),
        (#"{"id":"x","channel":"sms","lang":"en","text":"hi","urgency":"urgent","sentiment":"neutral","intent":"inquiry"}"#, "urgency 'urgent' is not one of"),
        (#"{"id":"x","channel":"sms","lang":"fr","text":"hi","urgency":"normal","sentiment":"neutral","intent":"inquiry"}"#, "lang 'fr'"),
        (#"{"id":"x","channel":"sms","lang":"en","txt":"hi","urgency":"normal","sentiment":"neutral","intent":"inquiry"}"#, "unknown key 'txt'"),
    ])
    func refusedLines(line: String, message: String) throws {
        let directory = try write([#"{"id":"ok","lang":"en","text":"fine","urgency":"low","sentiment":"positive","intent":"praise"}"#, line])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect {
            _ = try LabelledMessage.load([directory.path])
        } throws: { error in
            let description = "\(error)"
            return description.contains("corpus.jsonl:2") && description.contains(message)
        }
    }

    @Test("an id used twice is refused, naming both lines")
    func duplicateIDs() throws {
        let line = #"{"id":"same","lang":"en","text":"fine","urgency":"low","sentiment":"positive","intent":"praise"}"#
        let directory = try write([line, line])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect {
            _ = try LabelledMessage.load([directory.path])
        } throws: { "\($0)".contains("corpus.jsonl:2: id 'same' is also used at") && "\($0)".contains("corpus.jsonl:1") }
    }

    @Test("the shipped rules on a small corpus: figures count each label, misses carry the terms that fired and why")
    func evaluation() throws {
        let directory = try write([
            // Right on every count.
            #"{"id":"right","channel":"webhook","lang":"zh-Hans","text":"系统故障，无法登录，很着急","urgency":"high","sentiment":"negative","strength":"mild","intent":"incident"}"#,
            // Labelled urgent and negative; an opening-hours question is neither.
            #"{"id":"wrong","channel":"sms","lang":"en","text":"What are your opening hours?","urgency":"high","sentiment":"negative","strength":"strong","intent":"billing"}"#,
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = try RuleSetLoader(directory: Fixtures.shippedRules).load()
        let corpus = try LabelledMessage.load([directory.path])
        let report = CorpusEvaluation.run(corpus, rules: rules, variants: TextVariants())
        #expect(report.messages == 2)
        #expect(report.urgentAccuracy == 0.5)
        #expect(report.negativeAccuracy == 0.5)
        #expect(report.variants.checked == 10)  // 2 messages × 5 spellings
        #expect(report.variants.differing.isEmpty)
        #expect(report.misses.map(\.id) == ["wrong"])
        let miss = try #require(report.misses.first)
        #expect(miss.wrong.map(\.label) == ["urgency", "sentiment", "intent"])
        #expect(miss.wrong.last?.expected == "billing")
        #expect(miss.missing.contains { $0.contains("below high") })
        #expect(report.urgency.counts[report.urgency.labels.firstIndex(of: "high")!][report.urgency.labels.firstIndex(of: "normal")!] == 1)
        #expect(report.languages.map(\.language) == ["en", "zh-Hans"])
    }

    @Test("a label naming an intent the rules do not have is refused with its line")
    func unknownIntent() throws {
        let directory = try write([#"{"id":"x","lang":"en","text":"hi","urgency":"normal","sentiment":"neutral","intent":"enquiry"}"#])
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = try RuleSetLoader(directory: Fixtures.shippedRules).load()
        let corpus = try LabelledMessage.load([directory.path])
        #expect {
            try LabelledMessage.checkIntents(corpus, against: rules)
        } throws: { "\($0)".contains("corpus.jsonl:1: intent 'enquiry' is not one of safety") }
    }

    @Test("variants: Traditional characters, full-width forms and invisible characters are what they say")
    func variants() {
        let variants = Dictionary(uniqueKeysWithValues: TextVariants().variants(of: "系统 ok").map { ($0.name, $0.text) })
        #expect(variants["traditional"] == "系統 ok")
        #expect(variants["full-width"] == "系统\u{3000}ｏｋ")
        #expect(variants["invisible"]?.unicodeScalars.filter { $0.properties.generalCategory == .format }.count == 5)
    }
}
