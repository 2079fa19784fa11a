import SwitchboardCore

/// A `when` condition from a rule file. Composite conditions nest to any depth.
public indirect enum Condition: Sendable, Equatable {
    case all([Condition])
    case any([Condition])
    case not(Condition)
    case urgency(Set<Urgency>)
    case urgencyAtLeast(Urgency)
    case sentiment(Set<Sentiment>)
    case channel(Set<String>)
    case source(Set<String>)
    case customerTier(Set<CustomerTier>)
    case language(Set<String>)
    case signal(Set<String>)
    case senderDomain(Set<String>)

    /// Whether the condition reads classification results, which signals' own conditions may not.
    var readsClassification: Bool {
        switch self {
        case let .all(items), let .any(items): items.contains { $0.readsClassification }
        case let .not(item): item.readsClassification
        case .urgency, .urgencyAtLeast, .sentiment, .signal: true
        case .channel, .source, .customerTier, .language, .senderDomain: false
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
    public var channel: String
    public var source: String
    public var customerTier: CustomerTier
    public var language: String
    public var firedSignals: Set<String>
    public var senderDomain: String

    public init(
        urgency: Urgency, sentiment: Sentiment, channel: String, source: String, customerTier: CustomerTier,
        language: String, firedSignals: Set<String>, senderDomain: String
    ) {
        self.urgency = urgency
        self.sentiment = sentiment
        self.channel = channel
        self.source = source
        self.customerTier = customerTier
        self.language = language
        self.firedSignals = firedSignals
        self.senderDomain = senderDomain
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
        case let .channel(values): values.contains(facts.channel)
        case let .source(values): values.contains(facts.source)
        case let .customerTier(tiers): tiers.contains(facts.customerTier)
        case let .language(values): values.contains(facts.language)
        case let .signal(ids): !ids.isDisjoint(with: facts.firedSignals)
        case let .senderDomain(domains):
            domains.contains { facts.senderDomain == $0 || facts.senderDomain.hasSuffix("." + $0) }
        }
    }
}
