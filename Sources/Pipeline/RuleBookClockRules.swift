import Conversations
import Rules
import SwitchboardCore

/// The clock rules a store keeps its clock logs by, read from the rules in force at each call: a reload
/// binds the next clock that starts or is retargeted, while the logs keep the targets already bound.
public struct RuleBookClockRules: ClockRules {
    private let rules: RuleBook

    public init(_ rules: RuleBook) {
        self.rules = rules
    }

    public func binding(policy: String) -> ClockBinding? {
        guard let policy = rules.current.rules.slaPolicies[policy] else { return nil }
        return Self.binding(policy)
    }

    public func workingTime(calendar: String?) -> any WorkingTime {
        guard let calendar, let business = rules.current.rules.calendars[calendar] else { return RoundTheClock() }
        return business
    }

    /// The clocks an SLA policy runs.
    public static func binding(_ policy: SLAPolicy) -> ClockBinding {
        var targets: [ClockKind: ClockTarget] = [:]
        for kind in policy.clocks { targets[kind] = policy.target(for: kind) }
        return ClockBinding(
            targets: targets, pausesWhileWaiting: policy.pauses(in: ConversationState.waitingOnCustomer.rawValue),
            onBreach: policy.onBreach)
    }
}
