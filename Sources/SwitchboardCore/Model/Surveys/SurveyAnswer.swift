import Foundation

/// A customer's answer to a survey, as a channel received it.
public struct SurveyAnswer: Sendable, Equatable {
    public var surveyID: String
    public var score: Int
    public var comment: String?
    /// `sms`, `link` or `api`.
    public var via: String
    public var at: Date
    /// The follow-up to open when the score is low: where it goes, decided from the rules by the caller.
    public var followUp: FollowUpPlacement?

    public init(surveyID: String, score: Int, comment: String? = nil, via: String, at: Date, followUp: FollowUpPlacement? = nil) {
        self.surveyID = surveyID
        self.score = score
        self.comment = comment
        self.via = via
        self.at = at
        self.followUp = followUp
    }
}

/// Where a follow-up conversation opens: a queue, an SLA policy and the first-response deadline under it.
public struct FollowUpPlacement: Sendable, Equatable {
    public var queue: String
    public var slaPolicy: String
    public var priority: Int
    public var dueAt: Date?
    /// Only scores at or below this open the follow-up.
    public var atOrBelow: Int

    public init(queue: String, slaPolicy: String, priority: Int, dueAt: Date?, atOrBelow: Int) {
        self.queue = queue
        self.slaPolicy = slaPolicy
        self.priority = priority
        self.dueAt = dueAt
        self.atOrBelow = atOrBelow
    }
}

/// What recording an answer did.
public enum SurveyAnswerResult: Sendable, Equatable {
    /// Recorded; with the follow-up conversation a low score opened.
    case recorded(Survey)
    /// The survey already has its answer (the first counts); it is returned unchanged.
    case alreadyAnswered(Survey)
    /// The answer window closed, or the survey was withdrawn.
    case closed(Survey)
    /// The score is outside the survey's scale.
    case outOfScale(Survey)
    case notFound
}
