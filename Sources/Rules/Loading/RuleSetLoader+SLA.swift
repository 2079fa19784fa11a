import Foundation
import StrictYAML
import SwitchboardCore

extension RuleSetLoader {
    /// A queue named by a policy's `on_breach`, checked once `routes.yaml` has defined the queues.
    struct BreachQueueReference {
        var policy: String
        var queue: String
        var position: YAMLValue
    }

    /// Parses `sla.yaml`: each policy's clocks, warning, pause states and breach actions.
    func parseSLA(_ root: YAMLValue, calendars: [String: BusinessCalendar], _ log: ProblemLog) -> ([String: SLAPolicy], [BreachQueueReference]) {
        guard let top = root.mapping(log, what: "sla.yaml", allowed: ["policies"]) else { return ([:], []) }
        var policies: [String: SLAPolicy] = [:]
        var positions: [String: YAMLValue] = [:]
        var breachQueues: [BreachQueueReference] = []
        let keys = ["id", "description", "calendar", "warn_before", "pause_in", "on_breach"] + ClockKind.allCases.map(\.rawValue)
        for item in top.required("policies", in: "sla.yaml", log)?.items(log, what: "policies") ?? [] {
            guard let map = item.mapping(log, what: "SLA policy", allowed: keys),
                  let id = map.string("id", in: "SLA policy", required: true, log) else { continue }
            if let first = positions[id] {
                log.report("duplicate SLA policy id '\(id)' (first defined at line \(first.line))", at: map["id"]!)
                continue
            }
            positions[id] = item
            let what = "SLA policy '\(id)'"
            var written: [String: String] = [:]
            func duration(_ key: String, required: Bool) -> Double? {
                guard let text = map.string(key, in: what, required: required, log) else { return nil }
                guard let seconds = DurationText.seconds(text) else {
                    log.report("'\(text)' is not a duration (write e.g. 30s, 5m, 2h, 1d or 1h30m)", at: map[key]!)
                    return nil
                }
                written[key] = text
                return seconds
            }
            let first = duration(ClockKind.firstResponse.rawValue, required: true)
            let calendar = map.string("calendar", in: what, log)
            if let calendar {
                if let known = calendars[calendar] {
                    if !known.everOpens { log.report("calendar '\(calendar)' has no opening hours, so this clock would never run", at: map["calendar"]!) }
                } else {
                    log.report("SLA policy '\(id)' runs on calendar '\(calendar)', which is not defined in calendars.yaml", at: map["calendar"]!)
                }
            }
            var policy = SLAPolicy(
                id: id, description: map.string("description", in: what, log), firstResponse: first ?? 0,
                resolution: duration(ClockKind.resolution.rawValue, required: false), calendar: calendar,
                nextResponse: duration(ClockKind.nextResponse.rawValue, required: false),
                updateEvery: duration(ClockKind.updateEvery.rawValue, required: false),
                followUp: duration(ClockKind.followUp.rawValue, required: false))
            if let followUp = policy.followUp, followUp > Self.longestFollowUp {
                log.report("follow_up may be at most 24h (the standards' follow-up within 24 hours of resolution)", at: map["follow_up"]!)
            }
            if let value = map["warn_before"] {
                policy.warnBefore = warnBefore(value, policy: policy, written: written, log)
            }
            if let value = map["pause_in"] {
                policy.pauseIn = pauseStates(value, log)
            }
            if let value = map["on_breach"] {
                let (actions, queue) = breachActions(value, log)
                policy.onBreach = actions
                if let queue { breachQueues.append(BreachQueueReference(policy: id, queue: queue.0, position: queue.1)) }
            }
            policies[id] = policy
        }
        return (policies, breachQueues)
    }

    /// The longest `follow_up` the standards allow.
    static let longestFollowUp = 24.0 * 3600

    /// `15m` (working time before each deadline) or `20%` (of each clock's target). A fixed warning must
    /// be shorter than every clock of the policy, or it would be due the moment that clock starts.
    private func warnBefore(_ value: YAMLValue, policy: SLAPolicy, written: [String: String], _ log: ProblemLog) -> WarnBefore? {
        guard let text = value.string(log, what: "'warn_before'") else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let percent = Double(trimmed.dropLast()), percent > 0, percent < 100 else {
                log.report("warn_before '\(text)' is not a percentage above 0% and below 100% (write e.g. 20%)", at: value)
                return nil
            }
            return .fraction(percent / 100)
        }
        guard let seconds = DurationText.seconds(trimmed) else {
            log.report("warn_before '\(text)' is neither a duration (15m, 1h) nor a percentage of each clock's target (20%)", at: value)
            return nil
        }
        for clock in policy.clocks {
            guard let target = policy.seconds(for: clock), let targetText = written[clock.rawValue], seconds >= target else { continue }
            log.report("warn_before \(text) is not shorter than the \(clock.rawValue) clock (\(targetText)), so its warning would be due when it starts; use a shorter duration or a percentage", at: value)
        }
        return .seconds(seconds)
    }

    /// `[waiting_on_customer]`: the states in ``SLAPolicy/pausableStates``, each once.
    private func pauseStates(_ value: YAMLValue, _ log: ProblemLog) -> [String] {
        var states: [String] = []
        for (state, position) in value.stringList(log, what: "pause_in") ?? [] {
            if !SLAPolicy.pausableStates.contains(state) {
                let allowed = SLAPolicy.pausableStates.joined(separator: ", ")
                log.report("'\(state)' is not a state SLA clocks can pause in (expected: \(allowed))", at: position)
            } else if states.contains(state) {
                log.report("'\(state)' is listed twice in pause_in", at: position)
            } else {
                states.append(state)
            }
        }
        return states
    }

    /// `on_breach: {escalate_to_queue, raise_priority, notify}`; the queue is returned with its position to
    /// be checked against `routes.yaml`.
    private func breachActions(_ value: YAMLValue, _ log: ProblemLog) -> (BreachActions, (String, YAMLValue)?) {
        guard let map = value.mapping(log, what: "on_breach", allowed: ["escalate_to_queue", "raise_priority", "notify"]) else {
            return (BreachActions(), nil)
        }
        var actions = BreachActions()
        var queue: (String, YAMLValue)?
        if let id = map.string("escalate_to_queue", in: "on_breach", log) {
            actions.escalateToQueue = id
            queue = (id, map["escalate_to_queue"]!)
        }
        if let priority = map.int("raise_priority", in: "on_breach", log) {
            if (1...4).contains(priority) { actions.raisePriority = priority } else {
                log.report("raise_priority must be a priority from 1 (most urgent) to 4", at: map["raise_priority"]!)
            }
        }
        if let value = map["notify"], let targets = value.stringList(log, what: "notify") {
            if targets.isEmpty { log.report("notify needs at least one target (leave notify out for none)", at: value) }
            for (name, position) in targets {
                if name.isEmpty || name.contains(where: { $0.isWhitespace }) {
                    log.report("'\(name)' is not a notification target name (a name without spaces)", at: position)
                } else if actions.notify.contains(name) {
                    log.report("notification target '\(name)' is listed twice", at: position)
                } else {
                    actions.notify.append(name)
                }
            }
        }
        if map.entries.isEmpty { log.report("on_breach sets no action (escalate_to_queue, raise_priority or notify)", at: value) }
        return (actions, queue)
    }
}
