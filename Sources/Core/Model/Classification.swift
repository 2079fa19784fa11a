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
