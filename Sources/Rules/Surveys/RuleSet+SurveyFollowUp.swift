import Foundation
import SwitchboardCore

extension RuleSet {
    /// Where a low score's follow-up opens for an answer to a survey of `kind` given at `answeredAt`:
    /// `surveys.yaml`'s queue, policy and priority, the kind's low-score line, and the policy's first
    /// response counted from the answer (in business hours when the policy runs on a calendar).
    ///
    /// Every channel's answer (SMS, link, API) passes this into ``SurveyAnswer/followUp``; the store
    /// opens the follow-up only when the score is at or below ``FollowUpPlacement/atOrBelow``. Nil when
    /// the rules have no `surveys.yaml` or no longer configure `kind`: the answer is still recorded,
    /// and nothing follows up.
    public func surveyFollowUp(for kind: SurveyKind, answeredAt: Date) -> FollowUpPlacement? {
        guard let surveys, let settings = surveys.kinds[kind] else { return nil }
        let followUp = surveys.followUp
        // The loader checked the policy exists; a missing one leaves the follow-up without a deadline
        // rather than dropping it.
        let due = slaPolicies[followUp.slaPolicy].map { firstResponseDue($0, receivedAt: answeredAt) }
        return FollowUpPlacement(
            queue: followUp.queue, slaPolicy: followUp.slaPolicy, priority: followUp.priority, dueAt: due, atOrBelow: settings.followUpAtOrBelow)
    }
}
