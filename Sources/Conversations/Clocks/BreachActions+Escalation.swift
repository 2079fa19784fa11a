import SwitchboardCore

extension BreachActions {
    /// Whether the breach moves the conversation (a queue or a priority).
    public var escalates: Bool { escalateToQueue != nil || raisePriority != nil }

    /// The actor breach escalations are written as: the gateway, with a supervisor's rights.
    public static let actor = LifecycleActor(id: "sla-timer", role: .system)

    /// The escalation a breach makes of `conversation`, in the transaction that records it, with where it
    /// goes; nil when the actions move nothing, as for a second clock breaching on a conversation the first
    /// breach already escalated there.
    public func escalation(of conversation: Conversation) -> (LifecycleAction, LifecycleCommand.Placement)? {
        guard escalates else { return nil }
        let priority = min(conversation.priority, raisePriority ?? conversation.priority)
        let queue = escalateToQueue ?? conversation.queue
        guard let level = EscalationLevel(priority) else { return nil }
        if conversation.state == .escalated, conversation.queue == queue, conversation.priority == priority { return nil }
        return (.escalate(level), LifecycleCommand.Placement(
            queue: queue, slaPolicy: conversation.slaPolicy, priority: priority, slaDueAt: conversation.slaDueAt))
    }
}
