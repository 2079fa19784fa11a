import SwitchboardCore

/// One answered satisfaction survey as a store reads it for a service report: its kind, its score and
/// where it counts (the surveyed conversation's channel, and its queue when it was resolved).
public struct AnsweredSurvey: Sendable, Equatable {
    public var kind: SurveyKind
    public var channel: ChannelKind
    /// The conversation's queue at its resolution (``Survey/queue``).
    public var queue: String
    public var score: Int

    public init(kind: SurveyKind, channel: ChannelKind, queue: String, score: Int) {
        self.kind = kind
        self.channel = channel
        self.queue = queue
        self.score = score
    }
}
