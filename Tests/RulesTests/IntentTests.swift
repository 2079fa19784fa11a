import Foundation
import Pipeline
import Rules
import StoreSupport
import StrictYAML
import SwitchboardCore
import TestSupport
import Testing

/// Intents and sentiment strength: how they are chosen, routed on, refused when misspelt, and explained.
@Suite("Intents and sentiment strength")
struct IntentTests {
    /// The mini rules with three intents, a strength level and routes that read both.
    static let classifiers = Fixtures.miniRules["classifiers.yaml"]!
        .replacingOccurrences(of: "levels: { negative: -3, positive: 3 }", with: "levels: { negative: -3, positive: 3, strong: -4 }")
        .replacingOccurrences(of: "    - id: thanks\n", with: "    - id: meh\n      weight: -3\n      keywords: [meh, 一般般]\n    - id: thanks\n")
        + """

        intent:
          intents: [safety, billing, delivery, inquiry]
          default: inquiry
          signals:
            - id: intent-safety
              intent: safety
              weight: 5
              keywords: [冒烟, smoking]
            - id: intent-billing
              intent: billing
              weight: 2
              keywords: [扣费, charged twice, invoice]
            - id: intent-delivery
              intent: delivery
              weight: 2
              keywords: [快递, parcel]
            - id: intent-delivery-chase
              intent: delivery
              weight: 1
              keywords: [still waiting]
        """

    static let routes = Fixtures.miniRules["routes.yaml"]!.replacingOccurrences(of: """
          - id: vip
            when: { customer_tier: vip }
        """, with: """
          - id: safety
            when: { intent: safety }
            queue: incidents
            priority: 1
            stop: true
          - id: strongly-negative
            when: { sentiment_strength: strong }
            queue: complaints
            priority: 1
            stop: true
          - id: vip
            when: { customer_tier: vip }
        """)

    static func rules(_ overrides: [String: String] = [:]) throws -> RuleSet {
        let directory = try Fixtures.miniRuleDirectory(overriding: ["classifiers.yaml": classifiers, "routes.yaml": routes].merging(overrides) { $1 })
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        return try RuleSetLoader(directory: directory.path).load()
    }

    static func classify(_ text: String, _ rules: RuleSet) -> Classification {
        rules.classify(ClassificationInput(channel: "webhook", source: "t", sender: "a@example.com", subject: nil, text: text))
    }

    @Test("the intent with the highest total wins; a tie goes to the intent listed first; nothing fired reads as the default")
    func choosing() throws {
        let rules = try Self.rules()
        #expect(Self.classify("I was charged twice", rules).intent == "billing")
        // billing 2 against delivery 2 + 1: the total decides, not the order.
        #expect(Self.classify("the parcel, still waiting, and the invoice", rules).intent == "delivery")
        // billing 2 against delivery 2: billing is listed first.
        #expect(Self.classify("the parcel and the invoice", rules).intent == "billing")
        #expect(Self.classify("what are your opening hours", rules).intent == "inquiry")
        // A negated cue does not count toward its intent.
        #expect(Self.classify("not smoking, just a question", rules).intent == "inquiry")
    }

    @Test("routes read the intent and the strength, and say which held")
    func routing() throws {
        let rules = try Self.rules()
        let smoke = Self.classify("the charger is smoking", rules)
        #expect(smoke.route.routeID == "safety")
        #expect(smoke.route.queue == "incidents")
        #expect(smoke.route.reasons?.first?.condition == "intent=safety")
        #expect(smoke.matches.contains { $0.classifier == "intent" && $0.signal == "intent-safety" && $0.text == "smoking" })

        // meh -3 is negative but mild (strong is -4 or below); anger -4 is strong.
        let mild = Self.classify("meh", rules)
        #expect(mild.sentiment == .negative)
        #expect(mild.sentimentStrength == .mild)
        #expect(mild.route.routeID == "angry")
        let strong = Self.classify("terrible service", rules)
        #expect(strong.sentimentStrength == .strong)
        #expect(strong.route.routeID == "strongly-negative")
        #expect(strong.route.reasons?.first?.condition == "sentiment_strength=strong")
        #expect(Self.classify("thank you, 谢谢", rules).sentimentStrength == nil)
    }

    @Test("without a strong level every negative message is strong, as before strengths existed; without intents the intent is nil")
    func defaults() throws {
        let rules = try RuleSetLoader(directory: Fixtures.miniRuleDirectory().path).load()
        let angry = Self.classify("terrible service", rules)
        #expect(angry.sentimentStrength == .strong)
        #expect(angry.intent == nil)
    }

    @Test("intent and strength are stored and read back with the classification")
    func stored() throws {
        let result = Self.classify("the charger is smoking, meh", try Self.rules())
        let decoded = try StoredJSON.decoder.decode(Classification.self, from: Data(StoredJSON.classification(result).utf8))
        #expect(decoded.intent == "safety")
        #expect(decoded.sentimentStrength == .mild)
        #expect(decoded == result)
    }

    @Test("misspelt intents, a default outside the list, a negative intent weight and intent conditions without intents are refused where written")
    func refused() throws {
        try expectOneProblem(
            in: "classifiers.yaml", Self.classifiers.replacingOccurrences(of: "intent: billing", with: "intent: biling"),
            line: 40, column: 15, message: "intent 'biling', which is not listed under intents")
        try expectOneProblem(
            in: "classifiers.yaml", Self.classifiers.replacingOccurrences(of: "default: inquiry", with: "default: question"),
            line: 33, column: 12, message: "default intent 'question' is not one of the intents")
        try expectOneProblem(
            in: "classifiers.yaml", Self.classifiers.replacingOccurrences(of: "weight: 1\n", with: "weight: -1\n"),
            line: 49, column: 15, message: "negative weight")
        try expectOneProblem(
            in: "classifiers.yaml", Self.classifiers.replacingOccurrences(of: "strong: -4", with: "strong: -2"),
            line: 20, column: 48, message: "strong (-2) must be at most negative (-3)")
        try expectOneProblem(
            in: "routes.yaml", Self.routes, line: 19, column: 21, message: "classifiers.yaml has no intent section")
        // A signal's own condition runs before any intent exists: testing one is refused as reading a classification.
        #expect {
            _ = try Self.rules(["classifiers.yaml": Self.classifiers.replacingOccurrences(
                of: "      keywords: [快递, parcel]", with: "      keywords: [快递, parcel]\n      when: { intent: billing }")])
        } throws: { error in
            let problems = (error as? Problems)?.problems ?? []
            return problems.count == 1 && problems[0].message.contains("may not test urgency, sentiment, sentiment strength, intent")
        }
        #expect {
            _ = try Self.rules(["routes.yaml": Self.routes.replacingOccurrences(of: "{ intent: safety }", with: "{ intent: safty }")])
        } throws: { error in
            let problems = (error as? Problems)?.problems ?? []
            return problems.count == 1 && problems[0].line == 19 && problems[0].column == 21
                && problems[0].message.contains("'safty' is not a valid intent (expected one of safety, billing, delivery, inquiry)")
        }
    }
}
