/// What the lifecycle table answers for an action: applied, or refused with the reason.
public enum LifecycleOutcome: Sendable, Equatable {
    case applied(LifecycleTransition)
    case refused(LifecycleRefusal)

    public var transition: LifecycleTransition? {
        if case let .applied(transition) = self { transition } else { nil }
    }

    public var refusal: LifecycleRefusal? {
        if case let .refused(refusal) = self { refusal } else { nil }
    }
}
