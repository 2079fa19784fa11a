import Foundation
import SwitchboardCore

extension ServiceClock {
    /// The clock at `now`, or at the log's last instant if that is later.
    ///
    /// Several writers stamp the log: intake with a message's arrival, the timer service with the instant it
    /// read its clock before its transaction. A change committed in between (a follow-up retargeting the
    /// clock) can carry a later instant than the reader's `now`, and ``state(at:workingTime:)`` leaves out
    /// events after `now`. Read that way, a clock retargeted a moment "later" would still show its old,
    /// already warned target, and its timer would be dropped as owing nothing. Settling on the later instant
    /// takes every recorded event into account.
    public func settledState(at now: Date, workingTime: (String?) -> any WorkingTime) -> ClockState? {
        state(at: settledInstant(now), workingTime: workingTime)
    }

    /// `now`, or the log's last instant if that is later.
    private func settledInstant(_ now: Date) -> Date {
        max(now, log.map(\.at).max() ?? now)
    }

    /// What the SLA timer service owes this clock at `now`: the warning and the breach that fell due and are
    /// not recorded yet (after downtime both, the warning first, as it would have come), stamped with the
    /// settled instant so they follow the log's last event; with the state they were decided on. Nil for a
    /// clock that never started.
    public func owedByTimer(at now: Date, workingTime: (String?) -> any WorkingTime) -> (state: ClockState, entries: [ClockPlanner.Entry])? {
        let at = settledInstant(now)
        guard let state = state(at: at, workingTime: workingTime) else { return nil }
        var entries: [ClockPlanner.Entry] = []
        if state.warningPending { entries.append(ClockPlanner.Entry(kind, ClockEvent(at: at, .warned))) }
        if state.breachPending { entries.append(ClockPlanner.Entry(kind, ClockEvent(at: at, .breached))) }
        return (state, entries)
    }
}
