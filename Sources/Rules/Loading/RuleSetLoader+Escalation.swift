import StrictYAML

extension RuleSetLoader {
    /// Parses `escalation:` in `routes.yaml`: for each level 1 (major) to 4 (minor), the queue, SLA policy
    /// and priority an escalation moves a conversation to. When the section is present, every level must be.
    func parseEscalation(_ value: YAMLValue, queues: [String: YAMLValue], slaPolicies: [String: SLAPolicy], _ log: ProblemLog) -> [EscalationRoute] {
        var levels: [Int: EscalationRoute] = [:]
        var firstSeen: [Int: YAMLValue] = [:]
        for item in value.items(log, what: "escalation") ?? [] {
            guard let map = item.mapping(log, what: "escalation level", allowed: ["level", "queue", "sla", "priority", "description"]),
                  let level = map.int("level", in: "escalation level", required: true, log) else { continue }
            guard (1...4).contains(level) else {
                log.report("escalation level must be 1 (major), 2 (serious), 3 (general) or 4 (minor)", at: map["level"]!)
                continue
            }
            if let first = firstSeen[level] {
                log.report("escalation level \(level) is listed twice (first at line \(first.line))", at: map["level"]!)
                continue
            }
            firstSeen[level] = item
            _ = map.string("description", in: "escalation level", log)
            let queue = map.string("queue", in: "escalation level \(level)", required: true, log)
            if let queue, queues[queue] == nil {
                log.report("escalation level \(level) moves to queue '\(queue)', which is not defined under queues", at: map["queue"]!)
            }
            let sla = map.string("sla", in: "escalation level \(level)", required: true, log)
            if let sla, slaPolicies[sla] == nil {
                log.report("escalation level \(level) uses SLA policy '\(sla)', which is not defined in sla.yaml", at: map["sla"]!)
            }
            var priority = level
            if let written = map.int("priority", in: "escalation level \(level)", log) {
                if (1...4).contains(written) { priority = written } else {
                    log.report("priority must be 1 (most urgent) to 4", at: map["priority"]!)
                }
            }
            if let queue, let sla {
                levels[level] = EscalationRoute(level: level, queue: queue, slaPolicy: sla, priority: priority)
            }
        }
        let missing = (1...4).filter { firstSeen[$0] == nil }
        if !missing.isEmpty, value.items(ProblemLog(), what: "escalation") != nil {
            log.report("escalation must name every level from 1 to 4; missing: \(missing.map(String.init).joined(separator: ", "))", at: value)
        }
        return levels.keys.sorted().map { levels[$0]! }
    }
}
