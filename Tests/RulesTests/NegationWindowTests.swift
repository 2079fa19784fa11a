import Foundation
import Rules
import SwitchboardCore
import TestSupport
import Testing

/// How far a negator reaches: units (a Chinese character, an English word), clauses (punctuation, or a
/// space between Chinese characters), and the words that hold a negator but negate nothing.
@Suite("Negation window")
struct NegationWindowTests {
    static let classifiers = Fixtures.miniRules["classifiers.yaml"]!
        .replacingOccurrences(of: "  terms: [不, 没有, not, \"no\"]", with: """
              terms: [不, 没有, not, "no", "'t"]
              exceptions: [是不是, 不停, "can't believe"]
            """)
        .replacingOccurrences(of: "keywords: [着急, 急用, urgent, asap]", with: "keywords: [着急, 急用, urgent, asap, refund, 闪退, 转圈, rude]")

    static func rules() throws -> RuleSet {
        let directory = try Fixtures.miniRuleDirectory(overriding: ["classifiers.yaml": classifiers])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        return try RuleSetLoader(directory: directory.path).load()
    }

    static func hurried(_ text: String, _ rules: RuleSet) -> Bool {
        rules.classify(ClassificationInput(channel: "webhook", source: "t", sender: "a@example.com", subject: nil, text: text))
            .firedSignals.contains("hurry")
    }

    @Test("an English word is one unit, so a negator reaches four words back; a Chinese character is one unit")
    func units() throws {
        let rules = try Self.rules()
        #expect(!Self.hurried("I don't want a refund", rules))        // a, want, don't
        #expect(Self.hurried("I don't think anyone would really want a refund", rules))  // 'don't' is seven words back
        #expect(!Self.hurried("不太着急", rules))
        #expect(Self.hurried("不知道为什么很着急", rules))              // 不 is six characters back
    }

    @Test("a space between Chinese characters ends a clause as a comma does; between English words it does not")
    func spaces() throws {
        let rules = try Self.rules()
        #expect(Self.hurried("进不去了 一直在转圈", rules))
        #expect(!Self.hurried("进不去转圈", rules))
        #expect(!Self.hurried("not urgent", rules))
    }

    @Test("a negator inside an exception negates nothing; outside one it still does")
    func exceptions() throws {
        let rules = try Self.rules()
        #expect(Self.hurried("是不是很着急", rules))
        #expect(Self.hurried("不停闪退", rules))
        #expect(Self.hurried("can't believe how rude", rules))
        #expect(!Self.hurried("不闪退", rules))
        #expect(!Self.hurried("isn't rude", rules))
    }

    @Test("'t negates after a letter (don't), not as the quote before a word that starts with t")
    func apostrophe() throws {
        let rules = try Self.rules()
        #expect(!Self.hurried("it wasn't rude", rules))
        #expect(Self.hurried("the agent said 'totally rude' to me", rules))
    }

    @Test("an exception without a negator in it is refused where it is written")
    func uselessException() throws {
        try expectOneProblem(
            in: "classifiers.yaml", Self.classifiers.replacingOccurrences(of: "不停, ", with: "不停, 唔知, "),
            line: 4, column: 25, message: "negation exception '唔知' holds no negation term")
    }
}
