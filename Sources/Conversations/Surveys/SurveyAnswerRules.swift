import Foundation
import SwitchboardCore

/// Whether a survey takes an answer, and what the answer sets going: pure, so every store records
/// answers and opens follow-ups by the same rules.
public enum SurveyAnswerRules {
    /// What an answer comes to.
    public enum Verdict: Sendable, Equatable {
        /// Record it. `opensFollowUp`: the score is at or below the follow-up line, so a follow-up
        /// conversation opens. `settlesFollowUpClock`: the surveyed conversation's `follow_up` clock has its
        /// answer (a satisfied customer needs none; a low score's follow-up is the new conversation's work).
        case record(opensFollowUp: Bool, settlesFollowUpClock: Bool)
        /// The first answer counts; this one changes nothing.
        case alreadyAnswered
        /// Past the window, or the survey was withdrawn.
        case closed
        case outOfScale
    }

    public static func decide(_ answer: SurveyAnswer, on survey: Survey) -> Verdict {
        switch survey.status {
        case .answered: return .alreadyAnswered
        case .cancelled: return .closed
        case .scheduled: break
        }
        guard answer.at < survey.expiresAt else { return .closed }
        guard survey.kind.scale.contains(answer.score) else { return .outOfScale }
        let opens = answer.followUp.map { answer.score <= $0.atOrBelow } ?? false
        return .record(opensFollowUp: opens, settlesFollowUpClock: opens || survey.kind.isSatisfied(answer.score))
    }

    /// Whether a resolved conversation's `follow_up` clock coming due opens a follow-up task: only while it
    /// is still resolved, and no answer to its surveys was satisfied.
    public static func opensFollowUpTask(state: ConversationState, answers: [(kind: SurveyKind, score: Int)]) -> Bool {
        state == .resolved && !answers.contains { $0.kind.isSatisfied($0.score) }
    }
}
