import SwitchboardCore

/// What a store answers for a ``LifecycleCommand``. Refusals are answers, never thrown.
public enum LifecycleCommandResult: Sendable, Equatable {
    /// The action was applied: the conversation as it now is.
    case applied(Conversation)
    /// The key was used before for the same request: the conversation as that first call left it.
    case replayed(Conversation)
    /// The lifecycle table refused the action; nothing changed.
    case refused(LifecycleRefusal)
    /// The key was used before for a different request; nothing changed.
    case idempotencyConflict
    case notFound

    /// The conversation after an applied or replayed action.
    public var conversation: Conversation? {
        switch self {
        case let .applied(conversation), let .replayed(conversation): conversation
        case .refused, .idempotencyConflict, .notFound: nil
        }
    }

    public var refusal: LifecycleRefusal? {
        if case let .refused(refusal) = self { refusal } else { nil }
    }
}

/// What claiming the next conversation of a queue answers.
public enum QueueClaimResult: Sendable, Equatable {
    /// The caller now owns this conversation.
    case claimed(Conversation)
    /// Nothing in the queue is waiting for an owner.
    case empty
    /// The caller owns `open` unresolved conversations already, the most they may.
    case atCapacity(open: Int)
    /// The key was used before for a different request; nothing changed.
    case idempotencyConflict
}
