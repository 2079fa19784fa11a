import Foundation
import SwitchboardCore

/// The clocks one SLA policy runs, as the rules bind them: each clock's target, and whether the clocks
/// stop while the conversation waits on the customer. Stores get bindings from ``ClockRules``; they
/// hold no rules of their own.
public struct ClockBinding: Sendable, Equatable {
    public var targets: [ClockKind: ClockTarget]
    /// The policy's `pause_in` holds `waiting_on_customer`.
    public var pausesWhileWaiting: Bool
    /// What a breach of one of its clocks does to the conversation.
    public var onBreach: BreachPlan

    public init(targets: [ClockKind: ClockTarget], pausesWhileWaiting: Bool, onBreach: BreachPlan = BreachPlan()) {
        self.targets = targets
        self.pausesWhileWaiting = pausesWhileWaiting
        self.onBreach = onBreach
    }
}

/// What a breach does (`on_breach` in `sla.yaml`): the conversation is escalated by the gateway, to a
/// queue and a priority, in the transaction that records the breach.
public struct BreachPlan: Sendable, Equatable {
    public var escalateToQueue: String?
    /// 1 most urgent … 4; never lowers the conversation's priority.
    public var raisePriority: Int?
    /// The notification targets to tell, by name.
    public var notify: [String]

    public init(escalateToQueue: String? = nil, raisePriority: Int? = nil, notify: [String] = []) {
        self.escalateToQueue = escalateToQueue
        self.raisePriority = raisePriority
        self.notify = notify
    }

    /// Whether the breach moves the conversation (a queue or a priority).
    public var escalates: Bool { escalateToQueue != nil || raisePriority != nil }

    /// The actor breach escalations are written as: the gateway, with a supervisor's rights.
    public static let actor = LifecycleActor(id: "sla-timer", role: .system)

    /// The escalation a breach makes of `conversation`, with where it goes; nil when the plan moves nothing.
    public func escalation(of conversation: Conversation) -> (LifecycleAction, LifecycleCommand.Placement)? {
        guard escalates else { return nil }
        let priority = min(conversation.priority, raisePriority ?? conversation.priority)
        guard let level = EscalationLevel(priority) else { return nil }
        return (.escalate(level), LifecycleCommand.Placement(
            queue: escalateToQueue ?? conversation.queue, slaPolicy: conversation.slaPolicy, priority: priority, slaDueAt: conversation.slaDueAt))
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
