import Foundation
import SwitchboardCore

/// The conversation lifecycle: which actions each state takes, who may take them, and what each does. It
/// is pure: the store applies what it answers inside its transaction and decides nothing itself, so every
/// store (and the HTTP actions) share one table. The README's "Conversation lifecycle" section is this
/// table written out.
///
/// An action is checked in three steps, and the first that fails answers:
/// 1. the role: only a customer sends a customer message, and a customer does nothing else; only the
///    gateway ends a wait when its time comes;
/// 2. the state: ``table`` must list the action for the conversation's state (`invalid_transition`);
/// 3. the guards: an agent (or ops) assigns only themselves, and hands off, waits, resolves, reopens and
///    closes only conversations that are theirs or nobody's; a supervisor (or the gateway) may do all of
///    that to anyone's. Nobody claims a conversation that has an owner (`not_permitted`).
///
/// States keep these invariants: `new` never has an owner; `assigned` and `in_progress` always have one;
/// `waiting_on_customer` and `escalated` may have one or not.
public enum ConversationLifecycle {
    /// The actions each state takes, whoever asks; the guards then decide who may.
    public static let table: [ConversationState: [LifecycleAction.Kind]] = [
        .new: [.assign, .claim, .handoff, .escalate, .resolve, .agentReply, .customerMessage, .note],
        .assigned: [.assign, .handoff, .escalate, .wait, .resolve, .agentReply, .customerMessage, .note],
        .inProgress: [.assign, .handoff, .escalate, .wait, .resolve, .agentReply, .customerMessage, .note],
        .waitingOnCustomer: [.assign, .claim, .handoff, .escalate, .wait, .resolve, .agentReply, .customerMessage, .note, .waitEnded],
        .escalated: [.assign, .claim, .handoff, .escalate, .wait, .resolve, .agentReply, .customerMessage, .note],
        .resolved: [.reopen, .close, .agentReply, .customerMessage, .note],
        // A closed conversation takes no agent action; a customer's message starts a new, linked one.
        .closed: [.customerMessage],
    ]

    /// The actions `state` takes, in table order.
    public static func allowedActions(in state: ConversationState) -> [LifecycleAction.Kind] {
        table[state] ?? []
    }

    /// The actions `state` takes from an actor of `role`: what a refusal names as allowed.
    public static func allowedActions(in state: ConversationState, for role: LifecycleActor.Role) -> [LifecycleAction.Kind] {
        allowedActions(in: state).filter { takes($0, role) }
    }

    /// Applies `action` by `actor` to `conversation`: the transition, or why not. Nothing is thrown; a
    /// refusal is an answer like any other.
    ///
    /// - Parameter reason: the actor's words (an escalation reason, a resolution, a hand-off note, the
    ///   text of a note), carried on the audit events.
    public static func apply(
        _ action: LifecycleAction, to conversation: Conversation, by actor: LifecycleActor, reason: String? = nil
    ) -> LifecycleOutcome {
        let state = conversation.state, kind = action.kind
        func refuse(_ code: LifecycleRefusal.Code, _ message: String) -> LifecycleOutcome {
            .refused(LifecycleRefusal(
                code: code, state: state, action: kind, allowedActions: allowedActions(in: state, for: actor.role), message: message))
        }
        guard takes(kind, actor.role) else {
            return refuse(.notPermitted, actor.role == .customer
                ? "a customer can only send a message, not \(kind.rawValue)"
                : kind == .waitEnded ? "only the gateway ends a wait, when its time comes"
                : "only a customer sends a customer_message, not a \(actor.role.rawValue)")
        }
        guard allowedActions(in: state).contains(kind) else {
            return refuse(.invalidTransition, "a conversation that is \(state.rawValue) does not take \(kind.rawValue)")
        }
        if let problem = guardProblem(action, on: conversation, by: actor) {
            return refuse(.notPermitted, problem)
        }
        return .applied(transition(action, on: conversation, by: actor, reason: reason))
    }

    /// Whether an actor of `role` ever takes `kind`: customers send messages, and only they do; the end of
    /// a wait is the gateway's alone.
    static func takes(_ kind: LifecycleAction.Kind, _ role: LifecycleActor.Role) -> Bool {
        switch kind {
        case .customerMessage: role == .customer
        case .waitEnded: role == .system
        default: role != .customer
        }
    }
}
