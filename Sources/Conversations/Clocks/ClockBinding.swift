import SwitchboardCore

/// The clocks one SLA policy runs, as the rules bind them: each clock's target, and whether the clocks
/// stop while the conversation waits on the customer. Stores get bindings from ``ClockRules``; they
/// hold no rules of their own.
public struct ClockBinding: Sendable, Equatable {
    public var targets: [ClockKind: ClockTarget]
    /// The policy's `pause_in` holds `waiting_on_customer`.
    public var pausesWhileWaiting: Bool

    public init(targets: [ClockKind: ClockTarget], pausesWhileWaiting: Bool) {
        self.targets = targets
        self.pausesWhileWaiting = pausesWhileWaiting
    }
}

/// What a store needs of the rules to keep clock logs: the binding of a policy and the working time of a
/// calendar, read from the rules in force at the moment of asking.
public protocol ClockRules: Sendable {
    /// The clocks `policy` runs; nil for a policy the rules no longer define (its clocks keep the targets
    /// their logs carry).
    func binding(policy: String) -> ClockBinding?
    /// The working time of a calendar id; round the clock for nil or a calendar the rules do not define.
    func workingTime(calendar: String?) -> any WorkingTime
}
