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
    /// For a negative sentiment, whether it reads mild or strong; nil otherwise.
    public var sentimentStrength: SentimentStrength?
    /// What the message is mainly about (`incident`, `billing`, …), from the rules' intents; nil when the
    /// rules define none.
    public var intent: String?
    /// Every match that was explained, counting or negated; field signals last.
    public var matches: [SignalMatch] {
        get {
            switch explanation {
            case let .value(matches): matches
            case let .deferred(source): source.signalMatches()
            }
        }
        set { explanation = .value(newValue) }
    }
    public var route: RouteDecision
    private var explanation: Explained<[SignalMatch]>
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
        self.explanation = .value(matches)
        self.route = route
    }

    /// A classification whose matches are rendered from `explanation` when read.
    public init(
        rulesVersion: String, language: String, customerTier: CustomerTier, urgency: Urgency, urgencyScore: Int,
        sentiment: Sentiment, sentimentScore: Int, explanation: any DeferredExplanation, route: RouteDecision
    ) {
        self.init(
            rulesVersion: rulesVersion, language: language, customerTier: customerTier, urgency: urgency,
            urgencyScore: urgencyScore, sentiment: sentiment, sentimentScore: sentimentScore, matches: [], route: route)
        self.explanation = .deferred(explanation)
    }

    /// Words a deferred explanation now, so that later reads, and whoever stores the result, do not.
    public mutating func renderExplanation() {
        if case .deferred = explanation { explanation = .value(matches) }
        route.renderReasons()
    }

    /// Ids of the signals that counted (not negated), without repeats, in first-match order.
    public var firedSignals: [String] {
        if case let .deferred(source) = explanation { return source.firedSignals() }
        var seen = Set<String>()
        return matches.filter { !$0.negated }.map(\.signal).filter { seen.insert($0).inserted }
    }
}

extension Classification {
    private enum CodingKeys: String, CodingKey {
        case rulesVersion, language, customerTier, urgency, urgencyScore, sentiment, sentimentScore, sentimentStrength, intent
        case matches, route, context
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            rulesVersion: try container.decode(String.self, forKey: .rulesVersion),
            language: try container.decode(String.self, forKey: .language),
            customerTier: try container.decode(CustomerTier.self, forKey: .customerTier),
            urgency: try container.decode(Urgency.self, forKey: .urgency),
            urgencyScore: try container.decode(Int.self, forKey: .urgencyScore),
            sentiment: try container.decode(Sentiment.self, forKey: .sentiment),
            sentimentScore: try container.decode(Int.self, forKey: .sentimentScore),
            matches: try container.decode([SignalMatch].self, forKey: .matches),
            route: try container.decode(RouteDecision.self, forKey: .route))
        context = try container.decodeIfPresent(ConversationContext.self, forKey: .context)
        // Absent in what was stored before intents and strengths existed.
        sentimentStrength = try container.decodeIfPresent(SentimentStrength.self, forKey: .sentimentStrength)
        intent = try container.decodeIfPresent(String.self, forKey: .intent)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rulesVersion, forKey: .rulesVersion)
        try container.encode(language, forKey: .language)
        try container.encode(customerTier, forKey: .customerTier)
        try container.encode(urgency, forKey: .urgency)
        try container.encode(urgencyScore, forKey: .urgencyScore)
        try container.encode(sentiment, forKey: .sentiment)
        try container.encode(sentimentScore, forKey: .sentimentScore)
        try container.encodeIfPresent(sentimentStrength, forKey: .sentimentStrength)
        try container.encodeIfPresent(intent, forKey: .intent)
        try container.encode(matches, forKey: .matches)
        try container.encode(route, forKey: .route)
        try container.encodeIfPresent(context, forKey: .context)
    }

    /// Equal when every field reads the same, however the explanation is held.
    public static func == (lhs: Classification, rhs: Classification) -> Bool {
        lhs.rulesVersion == rhs.rulesVersion && lhs.language == rhs.language && lhs.customerTier == rhs.customerTier
            && lhs.urgency == rhs.urgency && lhs.urgencyScore == rhs.urgencyScore && lhs.sentiment == rhs.sentiment
            && lhs.sentimentScore == rhs.sentimentScore && lhs.sentimentStrength == rhs.sentimentStrength
            && lhs.intent == rhs.intent && lhs.route == rhs.route && lhs.context == rhs.context
            && lhs.matches == rhs.matches
    }
}
