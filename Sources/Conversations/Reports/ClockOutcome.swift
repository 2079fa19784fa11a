import Foundation
import SwitchboardCore

/// How one count of an SLA clock stands for a report: a clock's log holds one count per `started` (a
/// reopened conversation starts `resolution` again), and each is judged on its own, by ``ServiceClock``.
public enum ClockOutcome: Sendable, Equatable {
    /// Fulfilled by its deadline with no breach recorded, after `seconds` of the clock's own counted
    /// time (working time on a business calendar; paused time not counted).
    case met(seconds: Double)
    /// Fulfilled, but after its deadline or with its breach recorded.
    case missed(seconds: Double)
    /// Not fulfilled, and its deadline has passed (or its breach was recorded).
    case overdue
    /// Not fulfilled and not yet due (running or paused): neither met nor missed yet.
    case pending

    /// The counted time of a fulfilled count; nil for one that has not ended.
    public var seconds: Double? {
        switch self {
        case let .met(seconds), let .missed(seconds): seconds
        case .overdue, .pending: nil
        }
    }

    /// Each count of the clock `kind` whose log is `log`, at `now`.
    ///
    /// Every entry of the log counts, even one stamped after `now` (a store's clock a little ahead of the
    /// caller's): the count is then judged at that entry's time.
    /// - Parameter workingTime: the working time of a calendar id (nil: round the clock).
    public static func outcomes(
        of kind: ClockKind, log: [ClockEvent], at now: Date, workingTime: (String?) -> any WorkingTime
    ) -> [ClockOutcome] {
        var counts: [[ClockEvent]] = []
        for event in log {
            if case .started = event.action {
                counts.append([event])
            } else if !counts.isEmpty {
                counts[counts.count - 1].append(event)
            }
            // Entries before the first start count towards nothing (as in ServiceClock).
        }
        return counts.compactMap { events in
            let when = max(now, events.map(\.at).max() ?? now)
            guard let state = ServiceClock(kind: kind, log: events).state(at: when, workingTime: workingTime) else { return nil }
            return outcome(of: state)
        }
    }

    /// How a clock's state reads for a report.
    static func outcome(of state: ClockState) -> ClockOutcome {
        switch (state.status, state.fulfilledAt) {
        case (.met, _): .met(seconds: state.elapsed)
        case (.breached, .some(_)): .missed(seconds: state.elapsed)
        case (.breached, nil): .overdue
        case (.running, _), (.paused, _): .pending
        }
    }
}
