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
    public var onBreach: BreachActions

    public init(targets: [ClockKind: ClockTarget], pausesWhileWaiting: Bool, onBreach: BreachActions = BreachActions()) {
        self.targets = targets
        self.pausesWhileWaiting = pausesWhileWaiting
        self.onBreach = onBreach
    }
}
