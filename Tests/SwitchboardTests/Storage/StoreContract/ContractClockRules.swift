import Conversations
import Foundation
import SwitchboardCore

/// The clock rules the contract's stores keep their logs by: round-the-clock time, and two policies.
struct ContractClockRules: ClockRules {
    /// `standard`: first response 60 minutes, next response 30, resolution 8 hours, follow-up 24 hours,
    /// paused while waiting on the customer; a breach escalates to `escalations` at priority 2. `crisis`: first response 15 minutes, resolution 4 hours,
    /// updates every 15 minutes, never paused.
    static let standard = ClockBinding(targets: [
        .firstResponse: ClockTarget(policy: "standard", seconds: 3_600, warnBefore: .fraction(0.2)),
        .nextResponse: ClockTarget(policy: "standard", seconds: 1_800, warnBefore: .fraction(0.2)),
        .resolution: ClockTarget(policy: "standard", seconds: 28_800, warnBefore: .fraction(0.2)),
        .followUp: ClockTarget(policy: "standard", seconds: 86_400),
    ], pausesWhileWaiting: true, onBreach: BreachActions(escalateToQueue: "escalations", raisePriority: 2, notify: ["supervisors"]))
    static let crisis = ClockBinding(targets: [
        .firstResponse: ClockTarget(policy: "crisis", seconds: 900, warnBefore: .seconds(300)),
        .resolution: ClockTarget(policy: "crisis", seconds: 14_400),
        .updateEvery: ClockTarget(policy: "crisis", seconds: 900),
    ], pausesWhileWaiting: false)

    /// Who the contract's stores notify: `supervisors` hears of escalations, assignments and resolutions
    /// (and of `standard`'s breaches, which its on_breach names), at once.
    static let notificationTargets = [
        NotificationTarget(
            id: "supervisors",
            events: [.conversationEscalated, .conversationAssigned, .conversationResolved, .csatReceived, .approvalRequested, .approvalExpired],
            quietHours: .none),
    ]

    func binding(policy: String) -> ClockBinding? {
        ["standard": Self.standard, "crisis": Self.crisis][policy]
    }

    func workingTime(calendar: String?) -> any WorkingTime { RoundTheClock() }
}
