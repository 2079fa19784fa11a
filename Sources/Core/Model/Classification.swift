/// One signal that fired (or was suppressed) on a message, kept so a decision can be explained.
public struct SignalMatch: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case keyword
        case regex
        case field
    }

    /// `urgency` or `sentiment`.
    public var classifier: String
    public var signal: String
    public var kind: Kind
    /// The term or pattern that matched, as written in the rules; for field signals, the condition.
    public var term: String
    /// Which field it matched in (`subject`, `text`), nil for field signals.
    public var field: String?
    /// UTF-8 byte offsets of the match in the field as the customer wrote it. Regex matches report
    /// only their end (the matcher does not track where a regex match starts).
    public var start: Int?
    public var end: Int?
    /// The matched text as the customer wrote it (before folding).
    public var text: String?
    /// The weight this match carried (the signal's weight, raised when intensified).
    public var weight: Int
    /// A negator stood right before the match, so it did not count.
    public var negated: Bool
    /// An intensifier before the cue, or a shouting message, raised the weight.
    public var intensified: Bool?

    public init(
        classifier: String,
        signal: String,
        kind: Kind,
        term: String,
        field: String?,
        start: Int?,
        end: Int?,
        text: String? = nil,
        weight: Int,
        negated: Bool,
        intensified: Bool? = nil
    ) {
        self.classifier = classifier
        self.signal = signal
        self.kind = kind
        self.term = term
        self.field = field
        self.start = start
        self.end = end
        self.text = text
        self.weight = weight
        self.negated = negated
        self.intensified = intensified
    }
}

/// Why one route fired: the parts of its condition that held.
public struct RouteReason: Sendable, Codable, Equatable {
    public var route: String
    /// The satisfied part of the `when` condition, e.g. `all(sentiment=negative, not(channel=sms))`.
    public var condition: String

    public init(route: String, condition: String) {
        self.route = route
        self.condition = condition
    }
}

/// What the routes decided for a message.
public struct RouteDecision: Sendable, Codable, Equatable {
    /// The route that decided (the last one that fired, or the default route).
    public var routeID: String
    /// Every route that fired, in evaluation order.
    public var fired: [String]
    /// For each route that fired, the condition that made it fire.
    public var reasons: [RouteReason]?
    public var queue: String
    public var priority: Int
    public var slaPolicy: String
    /// The script of the automatic reply, if any.
    public var autoReply: String?

    public init(routeID: String, fired: [String], queue: String, priority: Int, slaPolicy: String, autoReply: String?) {
        self.routeID = routeID
        self.fired = fired
        self.reasons = nil
        self.queue = queue
        self.priority = priority
        self.slaPolicy = slaPolicy
        self.autoReply = autoReply
    }
}

/// The full, explainable outcome of running the rules on one message.
public struct Classification: Sendable, Codable, Equatable {
    /// Content hash of the rule set that produced this result.
    public var rulesVersion: String
    public var language: String
    public var customerTier: CustomerTier
    public var urgency: Urgency
    public var urgencyScore: Int
    public var sentiment: Sentiment
    public var sentimentScore: Int
    public var matches: [SignalMatch]
    public var route: RouteDecision
    /// The conversation facts the structural signals read, when the message joined an open conversation.
    public var context: ConversationContext?

    public init(
        rulesVersion: String,
        language: String,
        customerTier: CustomerTier,
        urgency: Urgency,
        urgencyScore: Int,
        sentiment: Sentiment,
        sentimentScore: Int,
        matches: [SignalMatch],
        route: RouteDecision
    ) {
        self.rulesVersion = rulesVersion
        self.language = language
        self.customerTier = customerTier
        self.urgency = urgency
        self.urgencyScore = urgencyScore
        self.sentiment = sentiment
        self.sentimentScore = sentimentScore
        self.matches = matches
        self.route = route
    }

    /// Ids of the signals that counted (not negated), without repeats, in first-match order.
    public var firedSignals: [String] {
        var seen = Set<String>()
        return matches.filter { !$0.negated }.map(\.signal).filter { seen.insert($0).inserted }
    }
}
