import Foundation
import SwitchboardCore

/// An action the table allowed: what it does to the conversation, the audit events it implies, and what
/// else the store and the SLA clocks must do. The store writes all of it in one transaction.
public struct LifecycleTransition: Sendable, Equatable {
    public var action: LifecycleAction
    public var actor: LifecycleActor
    /// The state before the action.
    public var from: ConversationState
    /// The state after it (the same for actions that do not move it).
    public var state: ConversationState
    /// The owner after the action: nil for an unowned conversation.
    public var owner: String?
    /// Whether ``owner`` differs from the owner before.
    public var ownerChanged: Bool
    /// The queue the conversation moves to, when the action names one (a hand-off to a queue). An
    /// escalation's queue is the rules' to name: see ``LifecycleEffect/moveToEscalationQueue(_:)``.
    public var queue: String?
    /// The priority after the action: an escalation raises it to its level, never lowers it.
    public var priority: Int
    /// When a wait on the customer ends by itself, if it was given an end.
    public var waitUntil: Date?
    public var events: [LifecycleEvent]
    public var effects: [LifecycleEffect]

    /// The conversation with the transition's state, owner, queue and priority, and a reopen counted;
    /// everything else as it was.
    public func applied(to conversation: Conversation) -> Conversation {
        var updated = conversation
        updated.state = state
        updated.owner = owner
        if let queue { updated.queue = queue }
        updated.priority = priority
        if effects.contains(.countReopen) { updated.reopenCount += 1 }
        return updated
    }
}
