import Conversations
import Foundation
import GRDB
import StoreSupport
import SwitchboardCore

/// The clock logs: one row per entry, in the order written. Deadlines are computed from them
/// (``ServiceClock``), never stored by hand; which entries a change writes is ``ClockPlanner``'s to say.
extension SQLiteMessageStore {
    public func clockLogs(conversationID: String) async throws -> [ClockKind: [ClockEvent]] {
        try await pool.read { db in try Self.clockLogs(db, conversationID: conversationID) }
    }

    static func clockLogs(_ db: Database, conversationID: String) throws -> [ClockKind: [ClockEvent]] {
        var logs: [ClockKind: [ClockEvent]] = [:]
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: """
                SELECT clock, at, action, policy, seconds, calendar, warn_before, carries_over, reason
                FROM clock_events WHERE conversation_id = ? ORDER BY seq
                """), arguments: [conversationID])
        while let row = try rows.next() {
            guard let kind = ClockKind(rawValue: row[0]), let event = clockEvent(row) else { continue }
            logs[kind, default: []].append(event)
        }
        return logs
    }

    public func clocks(conversationID: String, at now: Date) async throws -> [ClockSummary] {
        let rules = clockRules
        return try await pool.read { db in try Self.clockSummaries(db, conversationID: conversationID, at: now, rules: rules) }
    }

    /// The clocks as agents see them at `now`, in ``ClockKind`` order.
    static func clockSummaries(_ db: Database, conversationID: String, at now: Date, rules: (any ClockRules)?) throws -> [ClockSummary] {
        guard let rules else { return [] }
        let order = Dictionary(uniqueKeysWithValues: ClockKind.allCases.enumerated().map { ($1, $0) })
        return try clockLogs(db, conversationID: conversationID)
            .compactMap { kind, log in ServiceClock(kind: kind, log: log).state(at: shownAt(now, log)) { rules.workingTime(calendar: $0) }?.summary }
            .sorted { order[$0.kind]! < order[$1.kind]! }
    }

    /// The instant a clock is shown as at: `now`, or its newest entry when that is stamped a hair later. A
    /// time stored as seconds since 1970 can read back a fraction of a microsecond after the `Date` it was
    /// written from, and two processes' clocks differ by milliseconds; an action just taken must show.
    static func shownAt(_ now: Date, _ log: [ClockEvent]) -> Date {
        guard let newest = log.map(\.at).max(), newest > now, newest.timeIntervalSince(now) <= 1 else { return now }
        return newest
    }

    /// The clocks as their logs stand at `at`.
    static func clockStates(_ db: Database, conversationID: String, at: Date, rules: any ClockRules) throws -> [ClockKind: ClockState] {
        var states: [ClockKind: ClockState] = [:]
        for (kind, log) in try clockLogs(db, conversationID: conversationID) {
            states[kind] = settledState(kind, log, at: at, rules: rules)
        }
        return states
    }

    /// A clock at `at` with every entry of its log counted, even one stamped after `at` (a reply stamped by
    /// the store's clock beside a message stamped by its sender's): what a change does, and when the clock
    /// is next due, depend on all that happened before it.
    static func settledState(_ kind: ClockKind, _ log: [ClockEvent], at: Date, rules: any ClockRules) -> ClockState? {
        ServiceClock(kind: kind, log: log).settledState(at: at) { rules.workingTime(calendar: $0) }
    }

    /// Writes the clock entries a transition implies, under the conversation's policy after it.
    static func logClocks(
        _ db: Database, _ transition: LifecycleTransition, conversationID: String, policy: String, at: Date, rules: (any ClockRules)?
    ) throws {
        guard let rules else { return }
        let states = try clockStates(db, conversationID: conversationID, at: at, rules: rules)
        guard !states.isEmpty || transition.effects.contains(.rebindClock) else { return }
        try append(db, conversationID: conversationID, ClockPlanner.entries(
            for: transition, clocks: states, binding: rules.binding(policy: policy), at: at), rules: rules)
    }

    /// Appends entries to the logs, then sets when the timer service next has to look at each clock they
    /// touched.
    static func append(_ db: Database, conversationID: String, _ entries: [ClockPlanner.Entry], rules: any ClockRules) throws {
        guard !entries.isEmpty else { return }
        for entry in entries {
            var policy: String?, seconds: Double?, calendar: String?, warn: String?, carriesOver: Bool?, reason: String?
            switch entry.event.action {
            case let .started(target):
                (policy, seconds, calendar, warn) = (target.policy, target.seconds, target.calendar, target.warnBefore.map(warnText))
            case let .retargeted(target, carries):
                (policy, seconds, calendar, warn) = (target.policy, target.seconds, target.calendar, target.warnBefore.map(warnText))
                carriesOver = carries
            case let .paused(why):
                reason = why
            case .resumed, .fulfilled, .warned, .breached:
                break
            }
            try db.cachedStatement(sql: """
                INSERT INTO clock_events (conversation_id, clock, at, action, policy, seconds, calendar, warn_before, carries_over, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                conversationID, entry.clock.rawValue, entry.event.at.timeIntervalSince1970, entry.event.action.name, policy, seconds,
                calendar, warn, carriesOver, reason,
            ])
        }
        try scheduleTimers(
            db, conversationID: conversationID, clocks: Set(entries.map(\.clock)), at: entries.map(\.event.at).max()!, rules: rules)
    }

    /// Keeps `clock_timers` in step with the logs of `clocks`: the instant each is next due for a warning
    /// or a breach, and no row for a clock with nothing left to fire; and the conversation's next deadline.
    static func scheduleTimers(_ db: Database, conversationID: String, clocks: Set<ClockKind>, at: Date, rules: any ClockRules) throws {
        let logs = try clockLogs(db, conversationID: conversationID)
        try storeDeadline(db, conversationID: conversationID, logs: logs, at: at, rules: rules)
        for kind in clocks {
            let next = logs[kind].flatMap { settledState(kind, $0, at: at, rules: rules) }?.nextTimerAt
            if let next {
                try db.execute(
                    sql: """
                        INSERT INTO clock_timers (conversation_id, clock, due_at) VALUES (?, ?, ?)
                        ON CONFLICT (conversation_id, clock) DO UPDATE SET due_at = excluded.due_at
                        """,
                    arguments: [conversationID, kind.rawValue, next.timeIntervalSince1970])
            } else {
                try db.execute(sql: "DELETE FROM clock_timers WHERE conversation_id = ? AND clock = ?", arguments: [conversationID, kind.rawValue])
            }
        }
    }

    /// `12.5s` for a fixed warning, `20%` for a share of the target.
    private static func warnText(_ warn: WarnBefore) -> String {
        switch warn {
        case let .seconds(seconds): "\(seconds)s"
        case let .fraction(fraction): "\(fraction * 100)%"
        }
    }

    private static func warnBefore(_ text: String?) -> WarnBefore? {
        guard let text, let unit = text.last, let value = Double(text.dropLast()) else { return nil }
        return unit == "%" ? .fraction(value / 100) : .seconds(value)
    }

    private static func clockEvent(_ row: Row) -> ClockEvent? {
        let at = Date(timeIntervalSince1970: row[1])
        func target() -> ClockTarget? {
            guard let policy: String = row[3], let seconds: Double = row[4] else { return nil }
            return ClockTarget(policy: policy, seconds: seconds, calendar: row[5], warnBefore: warnBefore(row[6]))
        }
        let action: ClockEvent.Action? = switch row[2] as String {
        case "started": target().map { .started($0) }
        case "retargeted": target().map { .retargeted($0, carriesOver: (row[7] as Bool?) ?? true) }
        case "paused": .paused(reason: (row[8] as String?) ?? "")
        case "resumed": .resumed
        case "fulfilled": .fulfilled
        case "warned": .warned
        case "breached": .breached
        default: nil
        }
        return action.map { ClockEvent(at: at, $0) }
    }
}

extension SQLiteMessageStore: ClockTimerStore {
    public func fireDueClockTimers(now: Date, limit: Int) async throws -> [ClockTimerFiring] {
        guard let rules = clockRules else { return [] }
        let notifications = notificationRules
        return try await pool.write { db in
            let due = try Row.fetchAll(
                db, sql: "SELECT conversation_id, clock FROM clock_timers WHERE due_at <= ? ORDER BY due_at LIMIT ?",
                arguments: [now.timeIntervalSince1970, limit])
            var firings: [ClockTimerFiring] = []
            for row in due {
                let conversationID: String = row[0], clockName: String = row[1]
                guard let kind = ClockKind(rawValue: clockName),
                      let log = try Self.clockLogs(db, conversationID: conversationID)[kind],
                      let owed = ServiceClock(kind: kind, log: log).owedByTimer(at: now, workingTime: { rules.workingTime(calendar: $0) })
                else {
                    try db.execute(sql: "DELETE FROM clock_timers WHERE conversation_id = ? AND clock = ?", arguments: [conversationID, clockName])
                    continue
                }
                let (state, entries) = owed
                guard !entries.isEmpty else {
                    // Nothing owed now (paused, retargeted, fulfilled since): wait for the log's next instant.
                    try Self.scheduleTimers(db, conversationID: conversationID, clocks: [kind], at: now, rules: rules)
                    if let next = try Double.fetchOne(
                        db, sql: "SELECT due_at FROM clock_timers WHERE conversation_id = ? AND clock = ?", arguments: [conversationID, clockName]),
                        next <= now.timeIntervalSince1970 {
                        try db.execute(sql: "DELETE FROM clock_timers WHERE conversation_id = ? AND clock = ?", arguments: [conversationID, clockName])
                    }
                    continue
                }
                try Self.append(db, conversationID: conversationID, entries, rules: rules)
                let conversation = try Self.conversation(db, id: conversationID)
                let plan = rules.binding(policy: state.target.policy)?.onBreach
                for entry in entries {
                    let event: ClockTimerFiring.Event = entry.event.action == .warned ? .warned : .breached
                    let firing = ClockTimerFiring(
                        conversationID: conversationID, clock: kind, event: event, policy: state.target.policy, dueAt: state.dueAt, at: now)
                    firings.append(firing)
                    var detail = ["clock": kind.rawValue, "policy": state.target.policy]
                    if let dueAt = state.dueAt { detail["due_at"] = dueAt.formatted(.iso8601) }
                    try Self.insertEvent(
                        db, at: now, subjectKind: "conversation", subjectID: conversationID, conversationID: conversationID,
                        kind: event == .warned ? "sla_warning" : "sla_breached", actor: "system", detail: detail)
                    if let conversation {
                        try Self.queueNotifications(db, [NotificationEvent(
                            kind: event == .warned ? .slaWarning : .slaBreached, conversation: conversation, at: now,
                            actor: BreachActions.actor.id, clock: kind, dueAt: state.dueAt,
                            namedTargets: event == .breached ? plan?.notify ?? [] : [])], rules: notifications)
                    }
                }
                // A resolved conversation's follow-up comes due with no satisfied answer: someone calls the customer.
                if kind == .followUp {
                    try Self.openFollowUpTask(db, conversationID: conversationID, state: state, at: now, clocks: rules)
                }
                // The breach first, then what it does.
                if state.breachPending, let plan, let conversation {
                    try Self.actOnBreach(db, plan, conversation: conversation, clock: kind, at: now, rules: rules, notifications: notifications)
                }
            }
            return firings
        }
    }

    public func nextClockTimer() async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(due_at) FROM clock_timers").map(Date.init(timeIntervalSince1970:))
        }
    }

    /// Escalates a conversation whose clock was breached, as its policy's `on_breach` says, in the
    /// transaction that records the breach. A conversation the table does not let escalate (resolved,
    /// closed) stays as it is.
    private static func actOnBreach(
        _ db: Database, _ plan: BreachActions, conversation: Conversation, clock: ClockKind, at: Date, rules: any ClockRules,
        notifications: (any NotificationRules)?
    ) throws {
        guard let (action, placement) = plan.escalation(of: conversation) else { return }
        _ = try applyAsGateway(
            db, action, to: conversation, reason: "SLA breached: \(clock.rawValue)", placement: placement, at: at, clocks: rules,
            notifications: notifications)
    }
}
