import SwitchboardCore

/// Score thresholds for urgency levels: the minimum score of each level; below `normal` is `low`.
public struct UrgencyLevels: Sendable, Equatable {
    public var critical: Int
    public var high: Int
    public var normal: Int

    public func level(for score: Int) -> Urgency {
        if score >= critical { return .critical }
        if score >= high { return .high }
        if score >= normal { return .normal }
        return .low
    }
}

/// Score thresholds for sentiment: at most `negative` is negative, at least `positive` is positive; a
/// negative score at most `strong` reads strongly negative, one above it mildly.
public struct SentimentLevels: Sendable, Equatable {
    public var negative: Int
    public var positive: Int
    /// The highest score that reads strongly negative; nil when the rules do not tell strengths apart,
    /// so every negative message is strong, as before strengths existed.
    public var strong: Int?

    public init(negative: Int, positive: Int, strong: Int? = nil) {
        self.negative = negative
        self.positive = positive
        self.strong = strong
    }

    /// How strongly negative `score` is, or nil when it is not negative.
    public func strength(for score: Int) -> SentimentStrength? {
        guard score <= negative else { return nil }
        return score <= (strong ?? negative) ? .strong : .mild
    }

    public func level(for score: Int) -> Sentiment {
        if score <= negative { return .negative }
        if score >= positive { return .positive }
        return .neutral
    }
}
