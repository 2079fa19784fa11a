import Foundation
import SwitchboardCore

/// A clock as its log shows it at one instant: what agents and supervisors see, and what the timer
/// service acts on.
public struct ClockState: Sendable, Equatable {
    public var kind: ClockKind
    public var status: ClockStatus
    /// What the clock counts towards now (the latest `started` or `retargeted`).
    public var target: ClockTarget
    /// When the current count started: the latest `started`, or a `retargeted` that did not carry the
    /// elapsed time over.
    public var startedAt: Date
    /// Working seconds counted towards the target (until fulfilment, for a fulfilled clock).
    public var elapsed: Double
    /// Working seconds left before the deadline; negative once it has passed. Working seconds, not
    /// wall-clock seconds: on a business calendar the night does not count (`dueAt` is the instant).
    public var remaining: Double { target.seconds - elapsed }
    /// The deadline. Once passed, the instant it passed; while counting, where the count will reach the
    /// target; nil while paused before reaching it (it moves until the clock resumes).
    public var dueAt: Date?
    /// When the warning is (or was) due, by the same rules as `dueAt`; nil without `warn_before`.
    public var warnAt: Date?
    /// When the clock was fulfilled, if it was.
    public var fulfilledAt: Date?
    /// Why the clock is paused, while it is.
    public var pauseReason: String?
    /// Whether the log records the warning for the current target.
    public var warned: Bool
    /// Whether the log records the breach for the current target.
    public var breachRecorded: Bool

    /// A warning the timer service owes at this instant: due, not yet recorded, and neither the clock
    /// fulfilled nor its breach recorded.
    public var warningPending: Bool
    /// A breach the timer service owes at this instant: the deadline has passed, the clock is not
    /// fulfilled and the breach is not recorded yet. After downtime both may be pending: record the
    /// warning first.
    public var breachPending: Bool

    /// The next instant the timer service has to look at this clock (a pending warning, then the
    /// deadline); nil when nothing is left to fire or the clock is paused before its deadline.
    public var nextTimerAt: Date? {
        guard fulfilledAt == nil else { return nil }
        if !warned, !breachRecorded, let warnAt { return warnAt }
        return breachRecorded ? nil : dueAt
    }
}

extension ClockState {
    /// The clock as agents see it.
    public var summary: ClockSummary {
        ClockSummary(
            kind: kind, status: status, policy: target.policy, dueAt: dueAt, warnAt: warnAt, remainingSeconds: remaining.rounded(),
            fulfilledAt: fulfilledAt, pauseReason: pauseReason)
    }
}
