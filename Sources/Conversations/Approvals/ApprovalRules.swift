import Foundation
import SwitchboardCore

/// Who may decide a held reply, and what the decision does: pure, so every store applies the same
/// four-eyes rule and the same expiry.
public enum ApprovalRules {
    /// What a decision comes to.
    public enum Verdict: Sendable, Equatable {
        /// Write the entry with this status: `queued` (approved, due at once) or `rejected`.
        case apply(OutboxStatus)
        /// The actor wrote the reply: nobody approves their own promise, whatever the entry's state.
        case selfApproval
        /// The entry is not awaiting approval; nothing changes.
        case refused(current: OutboxStatus)
        /// The hold ran out before the decision came: the entry expires, as the timer would have made it.
        case expire
        /// The supervisor approved another text than the one held.
        case contentChanged
    }

    public static func decide(
        _ decision: ApprovalDecision, on entry: OutboxEntry, by actor: String, expectedSHA256: String?, at now: Date
    ) -> Verdict {
        if entry.author == actor { return .selfApproval }
        guard entry.status == .awaitingApproval, let hold = entry.approval else { return .refused(current: entry.status) }
        // A late approval would send what nobody was waiting for any more.
        if hold.expiresAt <= now { return .expire }
        if let expectedSHA256, expectedSHA256.lowercased() != hold.contentSHA256 { return .contentChanged }
        return .apply(decision == .approve ? .queued : .rejected)
    }
}
