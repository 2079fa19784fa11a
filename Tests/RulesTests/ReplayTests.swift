import Foundation
import Pipeline
import Rules
import TestSupport
import Testing

@Suite("Rule replay")
struct ReplayTests {
    @Test("replay reports exactly the messages whose outcome changes")
    func replay() throws {
        let old = try Fixtures.miniRuleDirectory()
        let new = try Fixtures.miniRuleDirectory(overriding: [
            "lexicons/outage.txt": Fixtures.miniRules["lexicons/outage.txt"]! + "\nbroken\n",
            "classifiers.yaml": Fixtures.miniRules["classifiers.yaml"]!.replacingOccurrences(of: "[谢谢, thank you]", with: "[谢谢, thank you, cheers]"),
        ])
        defer {
            try? FileManager.default.removeItem(at: old.deletingLastPathComponent())
            try? FileManager.default.removeItem(at: new.deletingLastPathComponent())
        }
        let oldRules = try RuleDirectory.load(old.path).rules
        let newRules = try RuleDirectory.load(new.path).rules
        #expect(oldRules.version != newRules.version)
        let texts = ["the printer is broken", "hello there", "态度太差", "cheers, you fixed it", "system outage"]
        let items = texts.enumerated().map { index, text in
            RuleReplay.Item(id: "m\(index)", input: ClassificationInput(channel: "webhook", source: "t", sender: "a@example.com", subject: nil, text: text))
        }
        var differences: [RuleReplay.Difference] = []
        let summary = RuleReplay.run(items, old: oldRules, new: newRules) { differences.append($0) }
        #expect(differences.map(\.id) == ["m0", "m3"])
        #expect(differences.first?.changes["queue"] == ["general", "incidents"])
        #expect(differences.first?.changes["urgency"] == ["normal", "critical"])
        #expect(differences.first?.newSignals == ["outage"])
        // "cheers" now reads as thanks: only the sentiment of that message changes.
        #expect(differences.last?.changes == ["sentiment": ["neutral", "positive"]])
        #expect(summary.messages == 5)
        #expect(summary.changed == 2)
        #expect(summary.queue == 1 && summary.route == 1 && summary.sentiment == 1 && summary.urgency == 1)
    }

    @Test("a new intent and a changed strength are reported and counted")
    func intentsAndStrengths() throws {
        let old = try Fixtures.miniRuleDirectory()
        defer { try? FileManager.default.removeItem(at: old.deletingLastPathComponent()) }
        let oldRules = try RuleDirectory.load(old.path).rules
        let newRules = try IntentTests.rules()
        let items = ["I was charged twice", "terrible service", "hello there"].enumerated().map { index, text in
            RuleReplay.Item(id: "m\(index)", input: ClassificationInput(channel: "webhook", source: "t", sender: "a@example.com", subject: nil, text: text))
        }
        var differences: [RuleReplay.Difference] = []
        let summary = RuleReplay.run(items, old: oldRules, new: newRules) { differences.append($0) }
        // Old rules have no intents ("none"); the new ones read every message as one. Anger -4 was strong
        // (no strong level) and is strong under strong: -4 too, so only the intents change.
        #expect(differences.map(\.id) == ["m0", "m1", "m2"])
        #expect(differences[0].changes["intent"] == ["none", "billing"])
        #expect(differences[2].changes == ["intent": ["none", "inquiry"]])
        #expect(summary.intent == 3)
        #expect(summary.strength == 0)
    }
}
