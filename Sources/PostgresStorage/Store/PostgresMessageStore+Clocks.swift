import Conversations
import Foundation
import PostgresNIO
import StoreSupport
import SwitchboardCore

/// The clock logs: one row per entry, in the order written. Deadlines are computed from them
/// (``ServiceClock``), never stored by hand; which entries a change writes is ``ClockPlanner``'s to say.
extension PostgresMessageStore {
    public func clockLogs(conversationID: String) async throws -> [ClockKind: [ClockEvent]] {
        try await read { db in try await Self.clockLogs(db, conversationID: conversationID) }
    }

    static func clockLogs(_ db: PostgresTransaction, conversationID: String) async throws -> [ClockKind: [ClockEvent]] {
        try await clockLogs(db, conversationIDs: [conversationID])[conversationID] ?? [:]
    }

    /// The logs of several conversations in one query, keyed by conversation; one with no entry is absent.
    static func clockLogs(_ db: PostgresTransaction, conversationIDs: [String]) async throws -> [String: [ClockKind: [ClockEvent]]] {
        var logs: [String: [ClockKind: [ClockEvent]]] = [:]
        let rows = try await db.rows("""
            SELECT conversation_id, clock, at, action, policy, seconds, calendar, warn_before, carries_over, reason
            FROM clock_events WHERE conversation_id = ANY(\(conversationIDs)) ORDER BY seq
            """)
        for row in rows {
            guard let kind = ClockKind(rawValue: try row["clock"]), let event = try clockEvent(row) else { continue }
            logs[try row["conversation_id"] as String, default: [:]][kind, default: []].append(event)
        }
        return logs
    }

    public func clocks(conversationID: String, at now: Date) async throws -> [ClockSummary] {
        let rules = clockRules
        return try await read { db in try await Self.clockSummaries(db, conversationID: conversationID, at: now, rules: rules) }
    }

    /// The clocks as agents see them at `now`, in ``ClockKind`` order.
    static func clockSummaries(
        _ db: PostgresTransaction, conversationID: String, at now: Date, rules: (any ClockRules)?
    ) async throws -> [ClockSummary] {
        guard let rules else { return [] }
        let order = Dictionary(uniqueKeysWithValues: ClockKind.allCases.enumerated().map { ($1, $0) })
        return try await clockLogs(db, conversationID: conversationID)
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
    static func clockStates(
        _ db: PostgresTransaction, conversationID: String, at: Date, rules: any ClockRules
    ) async throws -> [ClockKind: ClockState] {
        states(try await clockLogs(db, conversationID: conversationID), at: at, rules: rules)
    }

    /// The clocks of `logs` settled at `at`.
    static func states(_ logs: [ClockKind: [ClockEvent]], at: Date, rules: any ClockRules) -> [ClockKind: ClockState] {
        var states: [ClockKind: ClockState] = [:]
        for (kind, log) in logs { states[kind] = settledState(kind, log, at: at, rules: rules) }
        return states
    }

    /// Writes the clock entries a transition implies, under the conversation's policy after it.
    /// - Parameter storesDeadline: false when the caller writes the conversation's row itself and sets the
    ///   deadline returned in the same statement.
    /// - Returns: the conversation's deadline after the entries, or nil when there were none.
    @discardableResult
    static func logClocks(
        _ db: PostgresTransaction, _ transition: LifecycleTransition, conversationID: String, policy: String, at: Date,
        rules: (any ClockRules)?, storesDeadline: Bool = true
    ) async throws -> ConversationDeadline? {
        guard let rules else { return nil }
        let logs = try await clockLogs(db, conversationID: conversationID)
        let states = states(logs, at: at, rules: rules)
        guard !states.isEmpty || transition.effects.contains(.rebindClock) else { return nil }
        return try await append(db, conversationID: conversationID, ClockPlanner.entries(
            for: transition, clocks: states, binding: rules.binding(policy: policy), at: at), rules: rules,
            prior: .read(logs), storesDeadline: storesDeadline)
    }

    /// What ``append(_:conversationID:_:rules:prior:storesDeadline:)`` knows of the logs before its entries.
    enum PriorLogs {
        /// Nothing: the logs are read back after the entries.
        case unknown
        /// The logs as read earlier in this transaction, with nothing written to them since.
        case read([ClockKind: [ClockEvent]])
        /// There are none: the conversation is created in this transaction, and its row carries its deadline
        /// already (``openingDeadline(_:at:rules:)``), so there is neither a deadline to update nor a timer to delete.
        case opening

        var isOpening: Bool {
            if case .opening = self { true } else { false }
        }

        /// The whole logs once `entries` are appended, when they are known without reading them.
        func logs(after entries: [ClockPlanner.Entry]) -> [ClockKind: [ClockEvent]]? {
            switch self {
            case .unknown: return nil
            case .opening: return PostgresMessageStore.openingLogs(entries)
            case var .read(logs):
                for entry in entries { logs[entry.clock, default: []].append(entry.event) }
                return logs
            }
        }
    }

    static let clockEventColumns = [
        "conversation_id", "clock", "at", "action", "policy", "seconds", "calendar", "warn_before", "carries_over", "reason",
    ]

    /// Appends entries to the logs, then sets when the timer service next has to look at each clock they
    /// touched.
    /// - Parameters:
    ///   - prior: what is known of the logs before the entries; when they are known, they are not read back.
    ///   - storesDeadline: false when the caller writes the conversation's row itself and sets the deadline
    ///     returned in the same statement.
    /// - Returns: the conversation's deadline after the entries, or nil when there were none.
    @discardableResult
    static func append(
        _ db: PostgresTransaction, conversationID: String, _ entries: [ClockPlanner.Entry], rules: any ClockRules,
        prior: PriorLogs = .unknown, storesDeadline: Bool = true
    ) async throws -> ConversationDeadline? {
        guard !entries.isEmpty else { return nil }
        var rows: [[(any PostgresThrowingDynamicTypeEncodable)?]] = []
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
            rows.append([
                conversationID, entry.clock.rawValue, entry.event.at.timeIntervalSince1970, entry.event.action.name,
                policy, seconds, calendar, warn, carriesOver, reason,
            ])
        }
        // Queued in the entries' order (the log is read by `seq`, which follows the VALUES order).
        for row in rows { db.queueInsert(into: "clock_events", columns: clockEventColumns, row: row) }
        return try await scheduleTimers(
            db, conversationID: conversationID, clocks: Set(entries.map(\.clock)), at: entries.map(\.event.at).max()!, rules: rules,
            logs: prior.logs(after: entries), opening: prior.isOpening, storesDeadline: storesDeadline)
    }

    /// The logs that `entries` alone make up.
    fileprivate static func openingLogs(_ entries: [ClockPlanner.Entry]) -> [ClockKind: [ClockEvent]] {
        Dictionary(grouping: entries, by: \.clock).mapValues { $0.map(\.event) }
    }

    /// The deadline of a conversation whose whole clock log is `entries`, for its row as it is created.
    static func openingDeadline(_ entries: [ClockPlanner.Entry], at: Date, rules: any ClockRules) -> ConversationDeadline {
        deadline(openingLogs(entries), at: at, rules: rules)
    }

    /// Keeps `clock_timers` in step with the logs of `clocks`: the instant each is next due for a warning
    /// or a breach, and no row for a clock with nothing left to fire; and the conversation's next deadline.
    /// - Parameters:
    ///   - logs: the conversation's whole logs, when the caller knows them; nil to read them.
    ///   - opening: the conversation is created in this transaction (see ``PriorLogs/opening``).
    ///   - storesDeadline: false when the caller sets the deadline returned itself.
    /// - Returns: the conversation's deadline.
    @discardableResult
    static func scheduleTimers(
        _ db: PostgresTransaction, conversationID: String, clocks: Set<ClockKind>, at: Date, rules: any ClockRules,
        logs known: [ClockKind: [ClockEvent]]? = nil, opening: Bool = false, storesDeadline: Bool = true
    ) async throws -> ConversationDeadline {
        let logs: [ClockKind: [ClockEvent]]
        if let known { logs = known } else { logs = try await clockLogs(db, conversationID: conversationID) }
        let deadline = deadline(logs, at: at, rules: rules)
        if storesDeadline, !opening { try await storeDeadline(db, conversationID: conversationID, deadline) }
        // In a fixed order, so two transactions touching the same timers lock them in the same order; the clocks
        // with a next instant in one statement, those with none in another.
        var due: [[(any PostgresThrowingDynamicTypeEncodable)?]] = []
        var done: [String] = []
        for kind in clocks.sorted(by: { $0.rawValue < $1.rawValue }) {
            if let next = logs[kind].flatMap({ settledState(kind, $0, at: at, rules: rules) })?.nextTimerAt {
                due.append([conversationID, kind.rawValue, next.timeIntervalSince1970])
            } else {
                done.append(kind.rawValue)
            }
        }
        // A conversation's timers are scheduled at most once between two reads (each schedule follows a read of
        // the logs, its own or its caller's, unless they are new), so no key is queued twice in one upsert.
        for row in due {
            db.queueInsert(
                into: "clock_timers", columns: ["conversation_id", "clock", "due_at"], row: row,
                suffix: "ON CONFLICT (conversation_id, clock) DO UPDATE SET due_at = excluded.due_at")
        }
        if !done.isEmpty, !opening {
            try await db.execute("DELETE FROM clock_timers WHERE conversation_id = \(conversationID) AND clock = ANY(\(done))")
        }
        return deadline
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

    private static func clockEvent(_ row: PostgresTransaction.Row) throws -> ClockEvent? {
        let at = Date(timeIntervalSince1970: try row["at"])
        func target() throws -> ClockTarget? {
            guard let policy = try row["policy"] as String?, let seconds = try row["seconds"] as Double? else { return nil }
            return ClockTarget(policy: policy, seconds: seconds, calendar: try row["calendar"], warnBefore: warnBefore(try row["warn_before"]))
        }
        let action: ClockEvent.Action? = switch try row["action"] as String {
        case "started": try target().map { .started($0) }
        case "retargeted": try target().map { .retargeted($0, carriesOver: (try row["carries_over"] as Bool?) ?? true) }
        case "paused": .paused(reason: (try row["reason"] as String?) ?? "")
        case "resumed": .resumed
        case "fulfilled": .fulfilled
        case "warned": .warned
        case "breached": .breached
        default: nil
        }
        return action.map { ClockEvent(at: at, $0) }
    }
}

extension PostgresMessageStore: ClockTimerStore {
    /// Fires the due timers, a few per serializable transaction (up to `limit` in all). Several gateways run
    /// this on one database: the due rows are taken `FOR UPDATE SKIP LOCKED`, so each gateway fires timers no
    /// other is firing at that moment; and a gateway whose snapshot still shows a timer another has since
    /// fired fails to lock or rewrite that row (a serialization failure), so its transaction runs again and
    /// finds the timer no longer owed. A timer fires once.
    ///
    /// A few per transaction, rather than all in one as SQLite's single writer does: a conflict with another
    /// gateway's timers or with intake touching the same conversations then redoes a few firings rather than
    /// a whole batch, and under load the timers keep firing instead of retrying one large transaction.
    public func fireDueClockTimers(now: Date, limit: Int) async throws -> [ClockTimerFiring] {
        var firings: [ClockTimerFiring] = []
        var taken = 0
        while taken < limit {
            let chunk = min(Self.timerChunk, limit - taken)
            let (fired, rows) = try await fireDueClockTimers(now: now, chunk: chunk)
            firings += fired
            taken += rows
            if rows < chunk { break }
        }
        return firings
    }

    /// Timers taken per transaction.
    static let timerChunk = 4

    /// Fires up to `chunk` due timers in one transaction; what it recorded, and how many due timers it took.
    ///
    /// The due timers are found first, in a short transaction that does not serialize: a serializable scan
    /// of the due range would conflict with every message that reschedules a timer meanwhile, and under
    /// steady intake the timers would fail over and over. Rows another gateway is firing are skipped. The
    /// serializable transaction then takes each found timer by its key, and the clock's log decides what is
    /// still owed, so a timer fired elsewhere in between owes nothing.
    private func fireDueClockTimers(now: Date, chunk limit: Int) async throws -> ([ClockTimerFiring], Int) {
        guard let rules = clockRules else { return ([], 0) }
        let notifications = notificationRules
        let found = try await writeLocking { db in
            try await db.rows("""
                SELECT conversation_id, clock FROM clock_timers WHERE due_at <= \(now.timeIntervalSince1970)
                ORDER BY due_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """).map { row -> (String, String) in (try row["conversation_id"], try row["clock"]) }
        }
        guard !found.isEmpty else { return ([], 0) }
        return try await write { db in
            var firings: [ClockTimerFiring] = []
            for (conversationID, clockName) in found {
                guard try await db.first("""
                    SELECT 1 FROM clock_timers WHERE conversation_id = \(conversationID) AND clock = \(clockName)
                        AND due_at <= \(now.timeIntervalSince1970) FOR UPDATE SKIP LOCKED
                    """) != nil else { continue }
                guard let kind = ClockKind(rawValue: clockName),
                      let log = try await Self.clockLogs(db, conversationID: conversationID)[kind],
                      let owed = ServiceClock(kind: kind, log: log).owedByTimer(at: now, workingTime: { rules.workingTime(calendar: $0) })
                else {
                    try await db.execute("DELETE FROM clock_timers WHERE conversation_id = \(conversationID) AND clock = \(clockName)")
                    continue
                }
                let (state, entries) = owed
                guard !entries.isEmpty else {
                    // Nothing owed now (paused, retargeted, fulfilled since): wait for the log's next instant.
                    try await Self.scheduleTimers(db, conversationID: conversationID, clocks: [kind], at: now, rules: rules)
                    if let next = try await db.scalar(
                        "SELECT due_at FROM clock_timers WHERE conversation_id = \(conversationID) AND clock = \(clockName)", as: Double.self),
                        next <= now.timeIntervalSince1970 {
                        try await db.execute("DELETE FROM clock_timers WHERE conversation_id = \(conversationID) AND clock = \(clockName)")
                    }
                    continue
                }
                try await Self.append(db, conversationID: conversationID, entries, rules: rules)
                let conversation = try await Self.conversation(db, id: conversationID)
                let plan = rules.binding(policy: state.target.policy)?.onBreach
                for entry in entries {
                    let event: ClockTimerFiring.Event = entry.event.action == .warned ? .warned : .breached
                    let firing = ClockTimerFiring(
                        conversationID: conversationID, clock: kind, event: event, policy: state.target.policy, dueAt: state.dueAt, at: now)
                    firings.append(firing)
                    var detail = ["clock": kind.rawValue, "policy": state.target.policy]
                    if let dueAt = state.dueAt { detail["due_at"] = dueAt.formatted(.iso8601) }
                    try await Self.insertEvent(
                        db, at: now, subjectKind: "conversation", subjectID: conversationID, conversationID: conversationID,
                        kind: event == .warned ? "sla_warning" : "sla_breached", actor: "system", detail: detail)
                    if let conversation {
                        try await Self.queueNotifications(db, [NotificationEvent(
                            kind: event == .warned ? .slaWarning : .slaBreached, conversation: conversation, at: now,
                            actor: BreachActions.actor.id, clock: kind, dueAt: state.dueAt,
                            namedTargets: event == .breached ? plan?.notify ?? [] : [])], rules: notifications)
                    }
                }
                // A resolved conversation's follow-up comes due with no satisfied answer: someone calls the customer.
                if kind == .followUp {
                    try await Self.openFollowUpTask(db, conversationID: conversationID, state: state, at: now, clocks: rules)
                }
                // The breach first, then what it does.
                if state.breachPending, let plan, let conversation {
                    try await Self.actOnBreach(db, plan, conversation: conversation, clock: kind, at: now, rules: rules, notifications: notifications)
                }
            }
            return (firings, found.count)
        }
    }

    public func nextClockTimer() async throws -> Date? {
        try await read { db in
            try await db.scalar("SELECT MIN(due_at) FROM clock_timers", as: Double.self).map(Date.init(timeIntervalSince1970:))
        }
    }

    /// Escalates a conversation whose clock was breached, as its policy's `on_breach` says, in the
    /// transaction that records the breach. A conversation the table does not let escalate (resolved,
    /// closed) stays as it is.
    private static func actOnBreach(
        _ db: PostgresTransaction, _ plan: BreachActions, conversation: Conversation, clock: ClockKind, at: Date, rules: any ClockRules,
        notifications: (any NotificationRules)?
    ) async throws {
        guard let (action, placement) = plan.escalation(of: conversation) else { return }
        _ = try await applyAsGateway(
            db, action, to: conversation, reason: "SLA breached: \(clock.rawValue)", placement: placement, at: at, clocks: rules,
            notifications: notifications)
    }
}
