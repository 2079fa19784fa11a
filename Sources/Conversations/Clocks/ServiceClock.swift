import Foundation
import SwitchboardCore

/// One SLA clock of a conversation, computed from its log alone: the deadline, the warning, the time
/// left and the status at any instant. Pure, so every store persists the same log and reads the same
/// answers; the current time is always passed in.
///
/// The log is read in order. `started` begins a count at zero (a recurring clock such as
/// `update_every` starts again after each `fulfilled`). `paused` stops the count and `resumed` goes on
/// from where it stopped. `retargeted` switches to a new target, and the calendar it names, at that
/// instant: the working time already elapsed carries over by default, so an escalation to a tighter
/// policy can leave the clock already breached. `warned` and `breached` record that the timer service
/// acted; they do not move the deadline, and a retarget clears them, since the new target has its own
/// warning and deadline. Events that do not fit (a `resumed` without a pause, anything but `started`
/// before the first start, a change after fulfilment) change nothing.
public struct ServiceClock: Sendable {
    public var kind: ClockKind
    public var log: [ClockEvent]

    public init(kind: ClockKind, log: [ClockEvent]) {
        self.kind = kind
        self.log = log
    }

    /// The clock at `now`, counting on one working time whatever calendar the log names.
    public func state(at now: Date, workingTime: any WorkingTime) -> ClockState? {
        state(at: now) { _ in workingTime }
    }

    /// The clock at `now`, from the events recorded up to then; nil if it had not started.
    /// - Parameter workingTime: the working time of a calendar id (nil: round the clock), for each
    ///   target the log names.
    public func state(at now: Date, workingTime: (String?) -> any WorkingTime) -> ClockState? {
        var walk: Walk?
        var latest = Date.distantPast
        for event in log {
            // A log is appended in order; a store's clock that stepped back must not make time run backwards.
            let at = max(event.at, latest)
            guard at <= now else { break }
            latest = at
            switch event.action {
            case let .started(target):
                walk = Walk(target: target, at: at, workingTime: workingTime(target.calendar))
            case let .retargeted(target, carriesOver):
                walk?.retarget(to: target, at: at, carriesOver: carriesOver, workingTime: workingTime(target.calendar))
            case let .paused(reason):
                walk?.pause(at: at, reason: reason)
            case .resumed:
                walk?.resume(at: at)
            case .fulfilled:
                walk?.fulfil(at: at)
            case .warned:
                if walk?.fulfilledAt == nil { walk?.warned = true }
            case .breached:
                if walk?.fulfilledAt == nil { walk?.breachRecorded = true }
            }
        }
        return walk?.state(kind: kind, at: now)
    }
}

extension ServiceClock {
    /// The count so far, in stretches of running time.
    fileprivate struct Walk {
        /// A stretch the clock ran, on one working time, with the working seconds counted before it.
        struct Segment {
            var from: Date
            var to: Date
            var workingTime: any WorkingTime
            var before: Double
            var worked: Double
        }

        var target: ClockTarget
        var workingTime: any WorkingTime
        var startedAt: Date
        /// When the current target applied (the start, or the latest retarget).
        var targetSince: Date
        var segments: [Segment] = []
        var closed = 0.0
        var runningSince: Date?
        var pauseReason: String?
        var fulfilledAt: Date?
        var runningAtFulfilment = false
        var warned = false
        var breachRecorded = false

        init(target: ClockTarget, at: Date, workingTime: any WorkingTime) {
            self.target = target
            self.workingTime = workingTime
            self.startedAt = at
            self.targetSince = at
            self.runningSince = at
        }

        /// Ends the running stretch at `at`, if there is one.
        mutating func close(at: Date) {
            guard let from = runningSince else { return }
            let worked = workingTime.workingSeconds(from: from, to: at)
            segments.append(Segment(from: from, to: at, workingTime: workingTime, before: closed, worked: worked))
            closed += worked
            runningSince = nil
        }

        mutating func pause(at: Date, reason: String) {
            guard fulfilledAt == nil, runningSince != nil else { return }
            close(at: at)
            pauseReason = reason
        }

        mutating func resume(at: Date) {
            guard fulfilledAt == nil, runningSince == nil else { return }
            runningSince = at
            pauseReason = nil
        }

        mutating func fulfil(at: Date) {
            guard fulfilledAt == nil else { return }
            runningAtFulfilment = runningSince != nil
            close(at: at)
            fulfilledAt = at
        }

        mutating func retarget(to newTarget: ClockTarget, at: Date, carriesOver: Bool, workingTime newWorkingTime: any WorkingTime) {
            guard fulfilledAt == nil else { return }
            let running = runningSince != nil
            close(at: at)
            if !carriesOver {
                segments = []
                closed = 0
                startedAt = at
            }
            target = newTarget
            workingTime = newWorkingTime
            targetSince = at
            warned = false
            breachRecorded = false
            if running { runningSince = at }
        }

        /// Where the count reaches `threshold` working seconds: in a stretch already run, in the running
        /// one (past or future), or as it stood at fulfilment; nil while paused before reaching it.
        func instant(reaching threshold: Double) -> Date? {
            guard threshold > 0 else { return targetSince }
            for segment in segments where segment.before + segment.worked >= threshold {
                return segment.workingTime.adding(threshold - segment.before, to: segment.from)
            }
            if let runningSince { return workingTime.adding(threshold - closed, to: runningSince) }
            if runningAtFulfilment, let last = segments.last {
                return last.workingTime.adding(threshold - last.before, to: last.from)
            }
            return nil
        }

        func state(kind: ClockKind, at now: Date) -> ClockState {
            var elapsed = closed
            if let runningSince { elapsed += workingTime.workingSeconds(from: runningSince, to: now) }
            let dueAt = instant(reaching: target.seconds)
            let warnAt = target.warningThreshold.flatMap { instant(reaching: $0) }
            let status: ClockStatus
            if let fulfilledAt {
                status = !breachRecorded && (dueAt.map { fulfilledAt <= $0 } ?? true) ? .met : .breached
            } else if breachRecorded || dueAt.map({ now >= $0 }) == true {
                status = .breached
            } else {
                status = runningSince == nil ? .paused : .running
            }
            let open = fulfilledAt == nil
            return ClockState(
                kind: kind, status: status, target: target, startedAt: startedAt, elapsed: elapsed, dueAt: dueAt,
                warnAt: warnAt, fulfilledAt: fulfilledAt, pauseReason: open ? pauseReason : nil, warned: warned,
                breachRecorded: breachRecorded,
                warningPending: open && !warned && !breachRecorded && warnAt.map { now >= $0 } == true,
                breachPending: open && !breachRecorded && dueAt.map { now >= $0 } == true)
        }
    }
}
