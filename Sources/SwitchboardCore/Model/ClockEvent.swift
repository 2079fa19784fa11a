import Foundation

/// One entry of a clock's log. Deadlines, warnings and the clock's status are computed from the log
/// and nothing else, so they are never adjusted by hand and every store computes them alike.
public struct ClockEvent: Sendable, Equatable {
    /// What happened to the clock.
    public enum Action: Sendable, Equatable {
        /// A new count towards the target starts at zero (a conversation opens; for `next_response`
        /// and `update_every`, each new cycle after the previous one was fulfilled).
        case started(ClockTarget)
        /// The count stops, e.g. while the conversation waits on the customer.
        case paused(reason: String)
        /// The count goes on from where it stopped.
        case resumed
        /// What the clock waited for happened (a reply, an update, the resolution).
        case fulfilled
        /// The warning before the deadline was sent.
        case warned
        /// The breach was acted on (escalation, notification).
        case breached
        /// The conversation's policy changed (escalation, raised urgency, hand-off to another queue):
        /// the clock counts towards a new target. By default the working time already elapsed
        /// carries over; `carriesOver: false` starts the count again from zero.
        case retargeted(ClockTarget, carriesOver: Bool = true)

        /// The event's name in logs, audit entries and metrics: `started`, `paused`, `resumed`,
        /// `fulfilled`, `warned`, `breached` or `retargeted`.
        public var name: String {
            switch self {
            case .started: "started"
            case .paused: "paused"
            case .resumed: "resumed"
            case .fulfilled: "fulfilled"
            case .warned: "warned"
            case .breached: "breached"
            case .retargeted: "retargeted"
            }
        }
    }

    public var at: Date
    public var action: Action

    public init(at: Date, _ action: Action) {
        self.at = at
        self.action = action
    }
}
