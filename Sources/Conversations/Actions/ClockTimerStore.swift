import Foundation
import SwitchboardCore

/// A warning or a breach the timer service recorded.
public struct ClockTimerFiring: Sendable, Equatable {
    public enum Event: String, Sendable {
        case warned
        case breached
    }

    public var conversationID: String
    public var clock: ClockKind
    public var event: Event
    /// The policy of the clock's target when it fired.
    public var policy: String
    /// The deadline the warning announces, or the one that passed.
    public var dueAt: Date?
    /// When it was recorded.
    public var at: Date

    public init(conversationID: String, clock: ClockKind, event: Event, policy: String, dueAt: Date?, at: Date) {
        self.conversationID = conversationID
        self.clock = clock
        self.event = event
        self.policy = policy
        self.dueAt = dueAt
        self.at = at
    }
}

/// The store's side of the SLA timers: which clocks are due, and recording their warnings and breaches
/// exactly once. The log says whether one was recorded, and the check and the record share a transaction,
/// so two timer services racing, or one restarted after downtime, record each once.
public protocol ClockTimerStore: Sendable {
    /// Records the warnings and breaches due by `now` (a missed warning before its breach), up to `limit`
    /// clocks, and answers what it recorded.
    func fireDueClockTimers(now: Date, limit: Int) async throws -> [ClockTimerFiring]

    /// The earliest instant a clock is due to be looked at; nil when none is.
    func nextClockTimer() async throws -> Date?

    /// Ends, as the gateway, up to `limit` waits on the customer whose `until` has come by `now`
    /// (``LifecycleAction/waitEnded``), each in its own check-and-write; answers the conversations moved.
    func endDueWaits(now: Date, limit: Int) async throws -> [Conversation]
}
