import Foundation

/// A survey to commit with a resolution, in its transaction: the question is already rendered (its links
/// carry the survey's id, chosen by the caller), and goes out at `sendAt` unless the customer was
/// surveyed within `minInterval`, or the conversation is reopened first.
public struct ScheduledSurvey: Sendable, Equatable {
    public var id: String
    public var kind: SurveyKind
    /// The question as the customer reads it, rendered from the survey script.
    public var message: PendingReply
    public var sendAt: Date
    public var expiresAt: Date
    /// At most one survey per customer (channel, source and address) in this many seconds.
    public var minInterval: Double

    public init(id: String, kind: SurveyKind, message: PendingReply, sendAt: Date, expiresAt: Date, minInterval: Double) {
        self.id = id
        self.kind = kind
        self.message = message
        self.sendAt = sendAt
        self.expiresAt = expiresAt
        self.minInterval = minInterval
    }
}
