import Foundation
import SwitchboardCore

extension NotificationEvent {
    /// The notification an audit event of a lifecycle transition makes, if any: an assignment (to an owner,
    /// by claim or hand-off), an escalation or a resolution.
    public init?(_ event: LifecycleEvent, conversation: Conversation, at: Date) {
        let kind: Kind
        switch event.kind {
        case .ownerAssigned, .claimed:
            kind = .conversationAssigned
        case .handedOff:
            // A hand-off to a queue leaves the conversation unowned: nobody new has it to be told.
            guard event.detail["to_owner"] != nil else { return nil }
            kind = .conversationAssigned
        case .escalated:
            kind = .conversationEscalated
        case .resolved:
            kind = .conversationResolved
        case .waitingOnCustomer, .resumed, .waitEnded, .reopened, .closed, .noteAdded:
            return nil
        }
        // A hand-off note is internal to the team and may quote the customer; it stays out of the payload.
        let reason = event.kind == .handedOff ? nil : event.reason
        self.init(
            kind: kind, conversation: conversation, at: at, actor: event.actor.id, reason: reason,
            previousOwner: event.detail["previous_owner"])
    }
}
