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

/// Score thresholds for sentiment: at most `negative` is negative, at least `positive` is positive.
public struct SentimentLevels: Sendable, Equatable {
    public var negative: Int
    public var positive: Int

    public func level(for score: Int) -> Sentiment {
        if score <= negative { return .negative }
        if score >= positive { return .positive }
        return .neutral
    }
}
