import Foundation
import SwitchboardCore

/// A `when` condition from a rule file. Composite conditions nest to any depth.
public indirect enum Condition: Sendable, Equatable {
    case all([Condition])
    case any([Condition])
    case not(Condition)
    case urgency(Set<Urgency>)
    case urgencyAtLeast(Urgency)
    case sentiment(Set<Sentiment>)
    /// A negative message's strength; never holds for a neutral or positive one.
    case sentimentStrength(Set<SentimentStrength>)
    /// The message's intent (`classifiers.yaml`'s `intent` section).
    case intent(Set<String>)
    case channel(Set<String>)
    case source(Set<String>)
    case customerTier(Set<CustomerTier>)
    case language(Set<String>)
    case signal(Set<String>)
    case senderDomain(Set<String>)
    /// The customer already wrote in the open conversation (within the window, if one is given).
    case repeatContact(within: Double?)
    /// The customer's oldest unanswered message is at least this many seconds old.
    case waitedAtLeast(Double)
    /// The message reopens a resolved conversation.
    case reopened(Bool)
    /// The message arrived inside (true) or outside (false) the calendar's business hours.
    case businessHours(calendar: String, open: Bool)

    /// Whether the condition reads classification results, which signals' own conditions may not.
    var readsClassification: Bool {
        switch self {
        case let .all(items), let .any(items): items.contains { $0.readsClassification }
        case let .not(item): item.readsClassification
        case .urgency, .urgencyAtLeast, .sentiment, .sentimentStrength, .intent, .signal: true
        case .channel, .source, .customerTier, .language, .senderDomain, .repeatContact, .waitedAtLeast, .reopened,
             .businessHours: false
        }
    }

    /// Calendar ids the condition refers to, for reference checks.
    var referencedCalendars: [String] {
        switch self {
        case let .all(items), let .any(items): items.flatMap(\.referencedCalendars)
        case let .not(item): item.referencedCalendars
        case let .businessHours(calendar, _): [calendar]
        default: []
        }
    }

    /// Signal ids the condition refers to, for reference checks.
    var referencedSignals: [String] {
        switch self {
        case let .all(items), let .any(items): items.flatMap(\.referencedSignals)
        case let .not(item): item.referencedSignals
        case let .signal(ids): Array(ids)
        default: []
        }
    }
}

/// What a condition is evaluated against.
public struct ConditionFacts: Sendable {
    public var urgency: Urgency
    public var sentiment: Sentiment
    /// Set only when the sentiment is negative.
    public var sentimentStrength: SentimentStrength?
    public var intent: String?
    public var channel: String
    public var source: String
    public var customerTier: CustomerTier
    public var language: String
    public var firedSignals: Set<String>
    public var senderDomain: String
    public var receivedAt: Date
    public var context: ConversationContext?
    public var calendars: [String: BusinessCalendar]

    public init(
        urgency: Urgency, sentiment: Sentiment, channel: String, source: String, customerTier: CustomerTier,
        language: String, firedSignals: Set<String>, senderDomain: String, receivedAt: Date = Date(),
        context: ConversationContext? = nil, calendars: [String: BusinessCalendar] = [:]
    ) {
        self.urgency = urgency
        self.sentiment = sentiment
        self.channel = channel
        self.source = source
        self.customerTier = customerTier
        self.language = language
        self.firedSignals = firedSignals
        self.senderDomain = senderDomain
        self.receivedAt = receivedAt
        self.context = context
        self.calendars = calendars
    }
}

extension Condition {
    /// Evaluates the condition.
    public func holds(for facts: ConditionFacts) -> Bool {
        switch self {
        case let .all(items): items.allSatisfy { $0.holds(for: facts) }
        case let .any(items): items.contains { $0.holds(for: facts) }
        case let .not(item): !item.holds(for: facts)
        case let .urgency(levels): levels.contains(facts.urgency)
        case let .urgencyAtLeast(level): facts.urgency >= level
        case let .sentiment(values): values.contains(facts.sentiment)
        case let .sentimentStrength(values): facts.sentimentStrength.map { values.contains($0) } ?? false
        case let .intent(ids): facts.intent.map { ids.contains($0) } ?? false
        case let .channel(values): values.contains(facts.channel)
        case let .source(values): values.contains(facts.source)
        case let .customerTier(tiers): tiers.contains(facts.customerTier)
        case let .language(values): values.contains(facts.language)
        case let .signal(ids): !ids.isDisjoint(with: facts.firedSignals)
        case let .senderDomain(domains): Self.domain(facts.senderDomain, isIn: domains)
        case let .repeatContact(window): Self.repeatContact(within: window, context: facts.context, at: facts.receivedAt)
        case let .waitedAtLeast(seconds): Self.waited(atLeast: seconds, context: facts.context, at: facts.receivedAt)
        case let .reopened(expected): (facts.context?.reopening ?? false) == expected
        case let .businessHours(calendar, open):
            (facts.calendars[calendar]?.isOpen(at: facts.receivedAt) ?? false) == open
        }
    }

    /// `sender_domain`: the domain itself or one under it.
    static func domain(_ domain: String, isIn domains: Set<String>) -> Bool {
        domains.contains { domain == $0 || domain.hasSuffix("." + $0) }
    }

    /// `repeat_contact`: the customer already wrote in the open conversation, within `window` if given.
    static func repeatContact(within window: Double?, context: ConversationContext?, at receivedAt: Date) -> Bool {
        guard let context, context.priorInboundMessages > 0 else { return false }
        guard let window, let last = context.lastInboundAt else { return window == nil }
        return receivedAt.timeIntervalSince(last) <= window
    }

    /// `waited_at_least`: the oldest unanswered message is at least `seconds` old.
    static func waited(atLeast seconds: Double, context: ConversationContext?, at receivedAt: Date) -> Bool {
        context?.waitingSince.map { receivedAt.timeIntervalSince($0) >= seconds } ?? false
    }

    /// The condition as written, for explanations of what did not hold.
    public func describe() -> String {
        func list(_ values: some Collection<String>) -> String { values.count == 1 ? values.first! : "[" + values.sorted().joined(separator: ", ") + "]" }
        switch self {
        case let .all(items): return "all(" + items.map { $0.describe() }.joined(separator: ", ") + ")"
        case let .any(items): return "any(" + items.map { $0.describe() }.joined(separator: ", ") + ")"
        case let .not(item): return "not(\(item.describe()))"
        case let .urgency(levels): return "urgency=" + list(levels.map(\.rawValue))
        case let .urgencyAtLeast(level): return "urgency>=\(level.rawValue)"
        case let .sentiment(values): return "sentiment=" + list(values.map(\.rawValue))
        case let .sentimentStrength(values): return "sentiment_strength=" + list(values.map(\.rawValue))
        case let .intent(ids): return "intent=" + list(ids)
        case let .channel(values): return "channel=" + list(values)
        case let .source(values): return "source=" + list(values)
        case let .customerTier(tiers): return "customer_tier=" + list(tiers.map(\.rawValue))
        case let .language(values): return "language=" + list(values)
        case let .signal(ids): return "signal=" + list(ids)
        case let .senderDomain(domains): return "sender_domain=" + list(domains)
        case let .repeatContact(window): return "repeat_contact" + (window.map { "<=\(Int($0))s" } ?? "")
        case let .waitedAtLeast(seconds): return "waited>=\(Int(seconds))s"
        case let .reopened(value): return "reopened=\(value)"
        case let .businessHours(calendar, open): return (open ? "business_hours=" : "outside_business_hours=") + calendar
        }
    }

    /// The part of the condition that held, in words, for the route explanation.
    public func explain(for facts: ConditionFacts) -> String {
        switch self {
        case let .all(items): "all(" + items.map { $0.explain(for: facts) }.joined(separator: ", ") + ")"
        case let .any(items):
            "any(" + items.filter { $0.holds(for: facts) }.map { $0.explain(for: facts) }.joined(separator: ", ") + ")"
        case let .not(item): "not(\(item.describe()))"
        case .urgency: "urgency=\(facts.urgency.rawValue)"
        case let .urgencyAtLeast(level): "urgency=\(facts.urgency.rawValue)>=\(level.rawValue)"
        case .sentiment: "sentiment=\(facts.sentiment.rawValue)"
        case .sentimentStrength: "sentiment_strength=\(facts.sentimentStrength?.rawValue ?? "none")"
        case .intent: "intent=\(facts.intent ?? "none")"
        case .channel: "channel=\(facts.channel)"
        case .source: "source=\(facts.source)"
        case .customerTier: "customer_tier=\(facts.customerTier.rawValue)"
        case .language: "language=\(facts.language)"
        case let .signal(ids): "signal=" + ids.intersection(facts.firedSignals).sorted().joined(separator: "|")
        case .senderDomain: "sender_domain=\(facts.senderDomain)"
        case let .repeatContact(window): "repeat_contact" + (window.map { "<=\(Int($0))s" } ?? "")
        case let .waitedAtLeast(seconds): "waited>=\(Int(seconds))s"
        case let .reopened(value): "reopened=\(value)"
        case let .businessHours(calendar, open): (open ? "business_hours=" : "outside_business_hours=") + calendar
        }
    }
}
