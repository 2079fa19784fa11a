import StrictYAML
import SwitchboardCore

extension RuleSetLoader {
    func parseRoutes(
        _ root: YAMLValue, signals: Set<String>?, intents: IntentSet? = nil, slaPolicies: [String: SLAPolicy], calendars: [String: BusinessCalendar], _ log: ProblemLog
    ) -> ([Queue], [Route], [EscalationRoute]) {
        guard let top = root.mapping(log, what: "routes.yaml", allowed: ["queues", "routes", "escalation"]) else { return ([], [], []) }

        var queues: [Queue] = []
        var queuePositions: [String: YAMLValue] = [:]
        for item in top.required("queues", in: "routes.yaml", log)?.items(log, what: "queues") ?? [] {
            guard let map = item.mapping(log, what: "queue", allowed: ["id", "name", "team", "description"]),
                  let id = map.string("id", in: "queue", required: true, log) else { continue }
            if let first = queuePositions[id] {
                log.report("duplicate queue id '\(id)' (first defined at line \(first.line))", at: item)
                continue
            }
            if !Self.isValidID(id) { log.report("queue id '\(id)' must be lower-case letters, digits and dashes", at: map["id"]!) }
            queuePositions[id] = item
            queues.append(Queue(id: id, names: localized(map["name"], log), teams: localized(map["team"], log)))
        }

        var routes: [Route] = []
        var routePositions: [String: YAMLValue] = [:]
        var defaults: [YAMLValue] = []
        for item in top.required("routes", in: "routes.yaml", log)?.items(log, what: "routes") ?? [] {
            guard let map = item.mapping(log, what: "route", allowed: [
                "id", "description", "when", "queue", "priority", "sla", "auto_reply", "stop", "default",
            ]), let id = map.string("id", in: "route", required: true, log) else { continue }
            if let first = routePositions[id] {
                log.report("duplicate route id '\(id)' (first defined at line \(first.line))", at: map["id"]!)
                continue
            }
            routePositions[id] = item
            let isDefault = map.bool("default", log) ?? false
            var route = Route(
                id: id, description: map.string("description", in: "route", log), condition: nil, queue: nil,
                priority: nil, slaPolicy: nil, autoReply: nil, stop: map.bool("stop", log) ?? false, isDefault: isDefault)
            if isDefault {
                defaults.append(item)
                if map["when"] != nil { log.report("the default route applies to every message and cannot have `when`", at: map["when"]!) }
                if map["stop"] != nil { log.report("the default route cannot have `stop`", at: map["stop"]!) }
            } else if let when = map.required("when", in: "route '\(id)'", log) {
                route.condition = parseCondition(
                    when, signals: signals, calendars: calendars, intents: intents, classifiersRead: signals != nil, log)
            }
            if let queue = map.string("queue", in: "route", required: isDefault, log) {
                if queuePositions[queue] == nil {
                    log.report("route '\(id)' sends to queue '\(queue)', which is not defined under queues", at: map["queue"]!)
                }
                route.queue = queue
            }
            if let priority = map.int("priority", in: "route", required: isDefault, log) {
                if !(1...4).contains(priority) { log.report("priority must be 1 (most urgent) to 4", at: map["priority"]!) }
                route.priority = priority
            }
            if let sla = map.string("sla", in: "route", required: isDefault, log) {
                if slaPolicies[sla] == nil {
                    log.report("route '\(id)' uses SLA policy '\(sla)', which is not defined in sla.yaml", at: map["sla"]!)
                }
                route.slaPolicy = sla
            }
            if let script = map.string("auto_reply", in: "route", log) {
                if script == "none" {
                    route.autoReply = .suppress
                } else {
                    if let availableScripts, !availableScripts.contains(script) {
                        log.report("route '\(id)' auto-replies with script '\(script)', which does not exist under scripts/", at: map["auto_reply"]!)
                    }
                    route.autoReply = .script(script)
                }
            }
            if !isDefault, route.queue == nil, route.priority == nil, route.slaPolicy == nil, route.autoReply == nil {
                log.report("route '\(id)' sets no action (queue, priority, sla or auto_reply)", at: item)
            }
            routes.append(route)
        }
        if defaults.isEmpty {
            log.report("routes.yaml needs exactly one route with `default: true`", at: root)
        } else if defaults.count > 1 {
            for extra in defaults.dropFirst() {
                log.report("only one route may be the default (the first is at line \(defaults[0].line))", at: extra)
            }
        }
        let escalation = top["escalation"].map { parseEscalation($0, queues: queuePositions, slaPolicies: slaPolicies, log) } ?? []
        return (queues, routes, escalation)
    }

    /// A text for every language (`{zh: …, en: …}`) or one text for all.
    private func localized(_ value: YAMLValue?, _ log: ProblemLog) -> [String: String] {
        guard let value else { return [:] }
        if value.isMapping {
            guard let map = value.mapping(log, what: "localized text", allowed: ["zh", "en"]) else { return [:] }
            var out: [String: String] = [:]
            for entry in map.entries {
                if let text = entry.value.string(log, what: entry.key) { out[entry.key] = text }
            }
            return out
        }
        return value.string(log, what: "text").map { ["en": $0, "zh": $0] } ?? [:]
    }

    func parseCustomers(_ root: YAMLValue, _ log: ProblemLog) -> CustomerDirectory {
        guard let top = root.mapping(log, what: "customers.yaml", allowed: ["default_tier", "customers", "domains"]) else { return .empty }
        var directory = CustomerDirectory.empty
        func tier(_ map: YAMLMapping, _ what: String) -> CustomerTier? {
            guard let text = map.string("tier", in: what, required: true, log) else { return nil }
            guard let tier = CustomerTier(rawValue: text) else {
                log.report("'\(text)' is not a customer tier (expected new, ordinary, vip or strategic)", at: map["tier"]!)
                return nil
            }
            return tier
        }
        if let text = top.string("default_tier", in: "customers.yaml", log) {
            if let tier = CustomerTier(rawValue: text) { directory.defaultTier = tier } else {
                log.report("'\(text)' is not a customer tier", at: top["default_tier"]!)
            }
        }
        for item in top["customers"]?.items(log, what: "customers") ?? [] {
            guard let map = item.mapping(log, what: "customer", allowed: ["address", "tier", "name"]),
                  let address = map.string("address", in: "customer", required: true, log),
                  let tier = tier(map, "customer") else { continue }
            if directory.addresses[address.lowercased()] != nil {
                log.report("customer '\(address)' is listed twice", at: item)
            }
            directory.addresses[address.lowercased()] = tier
        }
        for item in top["domains"]?.items(log, what: "domains") ?? [] {
            guard let map = item.mapping(log, what: "domain", allowed: ["domain", "tier", "name"]),
                  let domain = map.string("domain", in: "domain", required: true, log),
                  let tier = tier(map, "domain") else { continue }
            if directory.domains[domain.lowercased()] != nil {
                log.report("domain '\(domain)' is listed twice", at: item)
            }
            directory.domains[domain.lowercased()] = tier
        }
        return directory
    }
}
