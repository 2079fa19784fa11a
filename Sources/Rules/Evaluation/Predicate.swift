import Foundation
import SwitchboardCore

/// A ``Condition`` compiled for the hot path: signal ids resolved to indexes into a bitset, small
/// value lists compared in place instead of hashed, and calendars looked up once. ``Condition`` stays
/// the form that is loaded, described and explained; this is only how it is evaluated.
struct Predicate: Sendable {
    private let test: @Sendable (borrowing MessageFacts) -> Bool

    /// Evaluates the condition.
    func holds(_ facts: borrowing MessageFacts) -> Bool { test(facts) }

    /// One part of an `all` or `any`.
    private struct Part: Sendable {
        let test: @Sendable (borrowing MessageFacts) -> Bool
    }

    init(_ condition: Condition, signalIndexes: [String: Int], intents: IntentSet?, calendars: [String: BusinessCalendar]) {
        func compile(_ condition: Condition) -> @Sendable (borrowing MessageFacts) -> Bool {
            switch condition {
            // Parts are held in a concrete struct and visited by index: an array of bare closures is stored
            // at the most general abstraction, and calling through it (with `allSatisfy`, whose closure
            // captured a copy of the facts) copied the facts for every part.
            case let .all(items):
                let parts = items.map { Part(test: compile($0)) }
                return { facts in
                    for index in parts.indices where !parts[index].test(facts) { return false }
                    return true
                }
            case let .any(items):
                let parts = items.map { Part(test: compile($0)) }
                return { facts in
                    for index in parts.indices where parts[index].test(facts) { return true }
                    return false
                }
            case let .not(item):
                let part = compile(item)
                return { facts in !part(facts) }
            case let .urgency(levels):
                // A handful of enum cases: comparing them in place beats hashing.
                let levels = Array(levels)
                return { facts in levels.contains(facts.urgency) }
            case let .urgencyAtLeast(level):
                return { facts in facts.urgency >= level }
            case let .sentiment(values):
                let values = Array(values)
                return { facts in values.contains(facts.sentiment) }
            case let .sentimentStrength(values):
                let values = Array(values)
                return { facts in facts.sentimentStrength.map { values.contains($0) } ?? false }
            case let .intent(ids):
                let indexes = ids.compactMap { intents?.ids.firstIndex(of: $0) }
                return { facts in indexes.contains(facts.intent) }
            case let .channel(values):
                let values = Array(values)
                return { facts in values.contains(facts.channel) }
            case let .source(values):
                let values = Array(values)
                return { facts in values.contains(facts.source) }
            case let .customerTier(tiers):
                let tiers = Array(tiers)
                return { facts in tiers.contains(facts.customerTier) }
            case let .language(values):
                let values = Array(values)
                return { facts in values.contains(facts.language) }
            case let .signal(ids):
                // The loader refuses unknown ids; one that slipped through simply never fires.
                let indexes = ids.compactMap { signalIndexes[$0] }
                return { facts in indexes.contains { facts.fired.contains($0) } }
            case let .senderDomain(domains):
                return { facts in Condition.domain(facts.senderDomain, isIn: domains) }
            case let .repeatContact(window):
                return { facts in Condition.repeatContact(within: window, context: facts.context, at: facts.receivedAt) }
            case let .waitedAtLeast(seconds):
                return { facts in Condition.waited(atLeast: seconds, context: facts.context, at: facts.receivedAt) }
            case let .reopened(expected):
                return { facts in (facts.context?.reopening ?? false) == expected }
            case let .businessHours(id, open):
                let calendar = calendars[id]
                return { facts in (calendar?.isOpen(at: facts.receivedAt) ?? false) == open }
            }
        }
        test = compile(condition)
    }
}

/// What conditions read about one message while it is classified: plain values, and the signals
/// fired so far as a bitset.
struct MessageFacts {
    var urgency: Urgency = .normal
    var sentiment: Sentiment = .neutral
    var sentimentStrength: SentimentStrength?
    /// The chosen intent's index in ``IntentSet/ids``; -1 when the rules have no intents.
    var intent = -1
    var channel: String
    var source: String
    var customerTier: CustomerTier
    var language: String
    /// The sender's address; its domain is worked out only when a condition asks, as few rules do.
    var sender: String
    var receivedAt: Date
    var context: ConversationContext?
    var fired = SignalBits()

    var senderDomain: String { CustomerDirectory.domain(of: sender) }

    /// The same facts in the public form that ``Condition`` reads and explains.
    func conditionFacts(firedSignals: Set<String>, intents: IntentSet?, calendars: [String: BusinessCalendar]) -> ConditionFacts {
        var facts = ConditionFacts(
            urgency: urgency, sentiment: sentiment, channel: channel, source: source, customerTier: customerTier,
            language: language, firedSignals: firedSignals, senderDomain: senderDomain, receivedAt: receivedAt,
            context: context, calendars: calendars)
        facts.sentimentStrength = sentimentStrength
        if let intents, intent >= 0 { facts.intent = intents.ids[intent] }
        return facts
    }
}

/// A set of signal indexes: the first 128 inline, so an ordinary rule set never allocates for it.
struct SignalBits {
    private var low: UInt64 = 0
    private var high: UInt64 = 0
    private var rest: [UInt64] = []

    @inline(__always)
    func contains(_ index: Int) -> Bool {
        switch index {
        case 0..<64: return low & (1 << UInt64(index)) != 0
        case 64..<128: return high & (1 << UInt64(index - 64)) != 0
        default:
            let word = (index - 128) / 64
            return word < rest.count && rest[word] & (1 << UInt64((index - 128) % 64)) != 0
        }
    }

    @inline(__always)
    mutating func insert(_ index: Int) {
        switch index {
        case 0..<64: low |= 1 << UInt64(index)
        case 64..<128: high |= 1 << UInt64(index - 64)
        default:
            let word = (index - 128) / 64
            if word >= rest.count { rest.append(contentsOf: repeatElement(0, count: word - rest.count + 1)) }
            rest[word] |= 1 << UInt64((index - 128) % 64)
        }
    }
}
