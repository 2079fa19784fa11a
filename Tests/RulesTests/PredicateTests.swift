import Foundation
@testable import Rules
import SwitchboardCore
import TestSupport
import Testing

@Suite("Compiled conditions")
struct PredicateTests {
    static let signalIDs = ["outage", "anger", "refund", "vip-words"]
    static let intents = IntentSet(ids: ["safety", "billing", "inquiry"], fallback: "inquiry")
    static let calendar = BusinessCalendar(
        id: "office", timeZone: TimeZone(identifier: "Asia/Shanghai")!,
        hours: Dictionary(uniqueKeysWithValues: (2...6).map { ($0, [BusinessCalendar.Interval(start: 540, end: 1080)]) }),
        holidays: [], workingDays: [], makeUpHours: [])

    /// Classification evaluates compiled predicates; explanations and `rules check` read ``Condition``.
    /// The two must agree on every condition and every set of facts.
    @Test("a compiled condition holds exactly when the condition does")
    func agreesWithCondition() {
        var random = FuzzRandom(state: 29)
        let indexes = Dictionary(uniqueKeysWithValues: Self.signalIDs.enumerated().map { ($1, $0) })
        let calendars = ["office": Self.calendar]
        for _ in 0..<3_000 {
            let condition = Self.condition(&random, depth: 0)
            let predicate = Predicate(condition, signalIndexes: indexes, intents: Self.intents, calendars: calendars)
            for _ in 0..<8 {
                let facts = Self.facts(&random)
                let names = Set(Self.signalIDs.indices.filter { facts.fired.contains($0) }.map { Self.signalIDs[$0] })
                let expected = condition.holds(for: facts.conditionFacts(firedSignals: names, intents: Self.intents, calendars: calendars))
                #expect(predicate.holds(facts) == expected, "\(condition.describe())")
            }
        }
    }

    @Test("signal bits beyond the inline words")
    func manySignals() {
        var bits = SignalBits()
        for index in [0, 63, 64, 127, 128, 191, 192, 1_000] { bits.insert(index) }
        for index in 0...1_100 {
            #expect(bits.contains(index) == [0, 63, 64, 127, 128, 191, 192, 1_000].contains(index), "\(index)")
        }
    }

    static func pick<T>(_ values: [T], _ random: inout FuzzRandom) -> T { values[random.below(values.count)] }

    static func subset<T: Hashable>(_ values: [T], _ random: inout FuzzRandom) -> Set<T> {
        Set(values.filter { _ in random.below(2) == 0 }).union([pick(values, &random)])
    }

    static func condition(_ random: inout FuzzRandom, depth: Int) -> Condition {
        let leaf = depth >= 3 || random.below(3) > 0
        if !leaf {
            let items = (0...random.below(3)).map { _ in condition(&random, depth: depth + 1) }
            switch random.below(3) {
            case 0: return .all(items)
            case 1: return .any(items)
            default: return .not(items[0])
            }
        }
        switch random.below(16) {
        case 0: return .urgency(subset(Urgency.allCases, &random))
        case 1: return .urgencyAtLeast(pick(Urgency.allCases, &random))
        case 2: return .sentiment(subset(Sentiment.allCases, &random))
        case 3: return .channel(subset(["webhook", "email", "sms"], &random))
        case 4: return .source(subset(["shop", "mail", "kannel"], &random))
        case 5: return .customerTier(subset(CustomerTier.allCases, &random))
        case 6: return .language(subset(["zh", "en"], &random))
        case 7: return .signal(subset(signalIDs + ["unknown"], &random))
        case 8: return .senderDomain(subset(["example.com", "partner.example"], &random))
        case 9: return .repeatContact(within: pick([nil, 3_600, 86_400], &random))
        case 10: return .waitedAtLeast(pick([600, 7_200], &random))
        case 11: return .reopened(random.below(2) == 0)
        case 12: return .businessHours(calendar: pick(["office", "missing"], &random), open: random.below(2) == 0)
        case 13: return .intent(subset(intents.ids, &random))
        case 14: return .sentimentStrength(subset(SentimentStrength.allCases, &random))
        default: return .not(.urgency([pick(Urgency.allCases, &random)]))
        }
    }

    static func facts(_ random: inout FuzzRandom) -> MessageFacts {
        let now = Date(timeIntervalSince1970: 1_790_000_000 + Double(random.below(14 * 86_400)))
        let context: ConversationContext? = random.below(3) == 0 ? nil : ConversationContext(
            priorInboundMessages: random.below(3), lastInboundAt: now.addingTimeInterval(-Double(random.below(100_000))),
            waitingSince: random.below(2) == 0 ? nil : now.addingTimeInterval(-Double(random.below(10_000))),
            reopening: random.below(2) == 0)
        var facts = MessageFacts(
            urgency: pick(Urgency.allCases, &random), sentiment: pick(Sentiment.allCases, &random),
            channel: pick(["webhook", "email", "sms"], &random), source: pick(["shop", "mail", "kannel"], &random),
            customerTier: pick(CustomerTier.allCases, &random), language: pick(["zh", "en"], &random),
            sender: "someone@" + pick(["example.com", "Mail.Example.com", "partner.example", "other.org"], &random),
            receivedAt: now, context: context)
        for index in signalIDs.indices where random.below(2) == 0 { facts.fired.insert(index) }
        facts.intent = random.below(intents.ids.count + 1) - 1
        if facts.sentiment == .negative { facts.sentimentStrength = pick(SentimentStrength.allCases, &random) }
        return facts
    }
}
