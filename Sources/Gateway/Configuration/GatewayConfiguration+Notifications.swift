import Channels
import Conversations
import Signing
import StrictYAML

extension SettingsReader {
    /// `notifications: {targets: […]}`: each target's id, URL, signing secret, events, queues and quiet hours.
    mutating func notificationTargets(_ node: YAMLValue) -> [NotificationTargetSettings] {
        guard let map = node.mapping(log, what: "notifications", allowed: ["targets"]) else { return [] }
        var targets: [NotificationTargetSettings] = []
        for item in map["targets"]?.items(log, what: "notifications.targets") ?? [] {
            guard let target = notificationTarget(item) else { continue }
            if targets.contains(where: { $0.target.id == target.target.id }) {
                log.report("notification target '\(target.target.id)' is defined twice", at: item)
            }
            targets.append(target)
        }
        return targets
    }

    private mutating func notificationTarget(_ item: YAMLValue) -> NotificationTargetSettings? {
        guard let map = item.mapping(log, what: "notification target", allowed: ["id", "url", "secret", "events", "queues", "quiet_hours"]),
              let id = map.string("id", in: "notification target", required: true, log) else { return nil }
        if id.isEmpty || id.contains(where: { $0.isWhitespace }) {
            log.report("notification target id '\(id)' must be a name without spaces, as on_breach.notify names it", at: map["id"]!)
        }
        let what = "notification target '\(id)'"
        let url = map.required("url", in: what, log).flatMap { value(at: $0, name: "url of \(what)", secret: false) }
        if let url, SettingsReader.httpURL(url) == nil {
            log.report("url of \(what) must be an http:// or https:// URL", at: map["url"]!)
        }
        let secret = map.required("secret", in: what, log).flatMap { self.secret($0, name: "secret of \(what)") }
        if let secret, (try? StandardWebhooks(secret: secret)) == nil {
            log.report("secret of \(what) must be whsec_ followed by base64", at: map["secret"]!)
        }
        var target = NotificationTarget(id: id)
        if let node = map["events"], let list = node.stringList(log, what: "events of \(what)") {
            var events: Set<NotificationEvent.Kind> = []
            for (name, position) in list {
                guard let kind = NotificationEvent.Kind(rawValue: name) else {
                    let known = NotificationEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                    log.report("'\(name)' is not a notification event (one of \(known))", at: position)
                    continue
                }
                if events.contains(kind) { log.report("event '\(name)' is listed twice", at: position) }
                events.insert(kind)
            }
            target.events = events
        }
        if let node = map["queues"], let list = node.stringList(log, what: "queues of \(what)") {
            if list.isEmpty { log.report("queues of \(what) must name at least one (leave it out for all)", at: node) }
            target.queues = Set(list.map(\.0))
        }
        if let text = map.string("quiet_hours", in: what, log) {
            switch text {
            case "none": target.quietHours = .none
            case "policy": target.quietHours = .policyCalendar
            default: target.quietHours = .calendar(text)
            }
        }
        guard let url, let secret else { return nil }
        return NotificationTargetSettings(target: target, endpoint: NotificationEndpoint(url: url, secret: secret))
    }
}
