/// What else a transition asks of the store and the SLA clocks, beyond the conversation's own fields. The
/// table names them; the store and the clock log carry them out.
public enum LifecycleEffect: Sendable, Hashable {
    /// The conversation was reopened: its reopen count goes up by one (and the `reopened` signal may fire).
    case countReopen
    /// The SLA clocks pause: the conversation waits on the customer.
    case pauseClock
    /// Paused SLA clocks run again.
    case resumeClock
    /// The conversation is resolved: its running clocks stop.
    case stopClocks
    /// A reopened conversation's clocks, stopped at resolution, run again.
    case restartClocks
    /// The conversation's policy may have changed (another queue, another level): the clocks are re-bound
    /// by the rule the clock log keeps, elapsed time carrying over.
    case rebindClock
    /// The conversation moves to the queue the rules name for this escalation level.
    case moveToEscalationQueue(EscalationLevel)
    /// The message does not join this closed conversation: it starts a new one whose
    /// `previous_conversation_id` is this one.
    case startLinkedConversation(previousConversationID: String)
}
