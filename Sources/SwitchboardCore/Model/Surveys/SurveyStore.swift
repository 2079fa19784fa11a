import Foundation

/// The store's side of satisfaction surveys: scheduling one with a resolution is part of the lifecycle
/// write (``ScheduledSurvey``); these record the answers and find the survey an answer belongs to.
public protocol SurveyStore: Sendable {
    func survey(id: String) async throws -> Survey?

    /// The survey a message from this customer may answer: the newest sent (due by `at`), unanswered,
    /// still open at `at`, on that channel and source.
    func openSurvey(channel: ChannelKind, source: String, customerAddress: String, at: Date) async throws -> Survey?

    /// Records the score in one transaction with its audit event, the `csat.received` notification and,
    /// when the score is at or below `followUp.atOrBelow`, the follow-up conversation linked to the
    /// surveyed one. A satisfied score fulfils the surveyed conversation's `follow_up` clock.
    func recordSurveyAnswer(_ answer: SurveyAnswer) async throws -> SurveyAnswerResult

    /// Adds the customer's comment to an answered survey, once; false when there is no answer yet or a
    /// comment already.
    func recordSurveyComment(surveyID: String, comment: String, at: Date) async throws -> Bool

    /// The secret survey links are signed with, made on first use and kept in the store so links outlive
    /// restarts and every gateway on the store accepts them.
    func surveyLinkKey() async throws -> [UInt8]
}
