import Foundation
import SwitchboardCore

/// What a queue orders and counts a conversation by, from its clocks' states: pure, so every store
/// stores the same two instants beside the conversation whenever its clock logs change.
///
/// - ``dueAt``, the next deadline: the earliest deadline among the clocks not fulfilled, whether still
///   counting or already breached (an open breach is the most pressing, so it sorts first). A clock
///   paused before its deadline has none, so it does not count until it resumes; nil when no clock
///   counts.
/// - ``warnAt``: the earliest warning instant among the clocks running (not paused, not fulfilled, breach
///   not recorded). A conversation is due soon at `now` when `warnAt <= now < dueAt`: past a running
///   clock's warning and no clock breached yet.
///
/// Both instants are fixed until the logs change again (a running clock's deadline does not move with
/// time), so storing them at each log write keeps them right.
public struct ConversationDeadline: Sendable, Equatable {
    public var dueAt: Date?
    public var warnAt: Date?

    public init(dueAt: Date?, warnAt: Date?) {
        self.dueAt = dueAt
        self.warnAt = warnAt
    }

    /// The deadline of a conversation whose clocks stand as `clocks`.
    public init(_ clocks: some Sequence<ClockState>) {
        var dueAt: Date?, warnAt: Date?
        for clock in clocks where clock.fulfilledAt == nil {
            if let due = clock.dueAt { dueAt = min(dueAt ?? due, due) }
            if clock.pauseReason == nil, !clock.breachRecorded, let warn = clock.warnAt { warnAt = min(warnAt ?? warn, warn) }
        }
        self.init(dueAt: dueAt, warnAt: warnAt)
    }

    /// Whether a clock is breached and still open at `now`.
    public func breached(at now: Date) -> Bool { dueAt.map { $0 <= now } ?? false }

    /// Whether a running clock is inside its warning window at `now`, with no clock breached.
    public func dueSoon(at now: Date) -> Bool { !breached(at: now) && (warnAt.map { $0 <= now } ?? false) }
}
