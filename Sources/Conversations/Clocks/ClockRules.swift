import SwitchboardCore

/// What a store needs of the rules to keep clock logs: the binding of a policy and the working time of a
/// calendar, read from the rules in force at the moment of asking.
public protocol ClockRules: Sendable {
    /// The clocks `policy` runs; nil for a policy the rules no longer define (its clocks keep the targets
    /// their logs carry).
    func binding(policy: String) -> ClockBinding?
    /// The working time of a calendar id; round the clock for nil or a calendar the rules do not define.
    func workingTime(calendar: String?) -> any WorkingTime
}
