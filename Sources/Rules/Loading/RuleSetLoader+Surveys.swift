import Foundation
import StrictYAML
import SwitchboardCore

extension RuleSetLoader {
    static let surveyKeys = ["delay", "window", "min_interval", "send", "kinds", "follow_up"]

    /// Parses `surveys.yaml`: the survey's timing, the kinds of question (CSAT, NPS) with their scripts
    /// and low-score lines, and where a low score's follow-up opens.
    /// - Parameters:
    ///   - queues: the queues of `routes.yaml`, or nil when that file could not be read (then the
    ///     follow-up's queue is not checked; the missing file is reported already).
    ///   - slaLoaded: whether `sla.yaml` was read; without it the policy is not checked either.
    func parseSurveys(_ root: YAMLValue, queues: Set<String>?, slaPolicies: [String: SLAPolicy], slaLoaded: Bool, _ log: ProblemLog) -> SurveyPolicy? {
        guard let map = root.mapping(log, what: "surveys.yaml", allowed: Self.surveyKeys) else { return nil }
        let problemsBefore = log.problems.count

        func duration(_ key: String, default value: Double, allowingZero: Bool, example: String) -> Double {
            guard let node = map[key], let text = node.string(log, what: key) else { return value }
            guard let seconds = DurationText.seconds(text, allowingZero: allowingZero) else {
                log.report("\(key) '\(text)' is not a duration (write e.g. \(example))", at: node)
                return value
            }
            return seconds
        }
        let delay = duration("delay", default: SurveyPolicy.defaultDelay, allowingZero: true, example: "0s, 30m or 1h")
        let window = duration("window", default: SurveyPolicy.defaultWindow, allowingZero: false, example: "3d or 7d")
        let minInterval = duration("min_interval", default: SurveyPolicy.defaultMinInterval, allowingZero: true, example: "0s, 7d or 30d")

        var kinds: [SurveyKind: SurveyPolicy.Kind] = [:]
        // The kinds written, even those with a problem of their own: `send` is checked against these, so
        // a broken kind is reported once.
        var written: Set<SurveyKind>?
        let kindsValue = map.required("kinds", in: "surveys.yaml", log)
        if let kindsValue, let kindsMap = kindsValue.mapping(log, what: "kinds", allowed: SurveyKind.allCases.map(\.rawValue)) {
            written = Set(kindsMap.entries.compactMap { SurveyKind(rawValue: $0.key) })
            for entry in kindsMap.entries {
                guard let kind = SurveyKind(rawValue: entry.key) else { continue } // reported as an unknown key
                if let settings = parseSurveyKind(kind, entry.value, log) { kinds[kind] = settings }
            }
            if kindsMap.entries.isEmpty { log.report("kinds lists no survey kind (give csat, nps or both)", at: kindsValue) }
        }

        var send = SurveyKind.csat
        if let value = map["send"] {
            if let text = value.string(log, what: "send") {
                if let kind = SurveyKind(rawValue: text) {
                    send = kind
                    if let written, !written.isEmpty, !written.contains(kind) {
                        log.report("send: \(text) names a kind that is not configured under kinds", at: value)
                    }
                } else {
                    log.report("send '\(text)' is not a survey kind (expected one of: \(SurveyKind.allCases.map(\.rawValue).joined(separator: ", ")))", at: value)
                }
            }
        } else if let written, !written.isEmpty, !written.contains(.csat), let kindsValue {
            log.report("kinds has no csat, the kind sent by default; add it or choose the kind with send:", at: kindsValue)
        }

        var followUp: SurveyPolicy.FollowUp?
        if let value = map.required("follow_up", in: "surveys.yaml", log),
           let followMap = value.mapping(log, what: "follow_up", allowed: ["queue", "sla", "priority"]) {
            let queue = followMap.string("queue", in: "follow_up", required: true, log)
            if let queue, let queues, !queues.contains(queue) {
                log.report("follow_up queue '\(queue)' is not defined under queues in routes.yaml", at: followMap["queue"]!)
            }
            let sla = followMap.string("sla", in: "follow_up", required: true, log)
            if let sla, slaLoaded, slaPolicies[sla] == nil {
                log.report("follow_up uses SLA policy '\(sla)', which is not defined in sla.yaml", at: followMap["sla"]!)
            }
            var priority = SurveyPolicy.defaultFollowUpPriority
            if let value = followMap.int("priority", in: "follow_up", log) {
                if (1...4).contains(value) { priority = value } else {
                    log.report("priority must be 1 (most urgent) to 4", at: followMap["priority"]!)
                }
            }
            if let queue, let sla { followUp = SurveyPolicy.FollowUp(queue: queue, slaPolicy: sla, priority: priority) }
        }

        guard log.problems.count == problemsBefore, let followUp, kinds[send] != nil else { return nil }
        return SurveyPolicy(delay: delay, window: window, minInterval: minInterval, send: send, kinds: kinds, followUp: followUp)
    }

    /// `csat: {script: satisfaction-survey, follow_up_at_or_below: 2}`.
    private func parseSurveyKind(_ kind: SurveyKind, _ value: YAMLValue, _ log: ProblemLog) -> SurveyPolicy.Kind? {
        guard let map = value.mapping(log, what: "kind \(kind.rawValue)", allowed: ["script", "follow_up_at_or_below"]) else { return nil }
        let script = map.string("script", in: "kind \(kind.rawValue)", required: true, log)
        if let script, let availableScripts, !availableScripts.contains(script) {
            log.report("kind \(kind.rawValue) asks with script '\(script)', which does not exist under scripts/", at: map["script"]!)
        }
        var line = SurveyPolicy.defaultFollowUpAtOrBelow(kind)
        if let number = map.int("follow_up_at_or_below", in: "kind \(kind.rawValue)", log) {
            if kind.scale.contains(number) { line = number } else {
                log.report(
                    "follow_up_at_or_below \(number) is outside the \(kind.rawValue) scale (\(kind.scale.lowerBound) to \(kind.scale.upperBound))",
                    at: map["follow_up_at_or_below"]!)
            }
        }
        return script.map { SurveyPolicy.Kind(script: $0, followUpAtOrBelow: line) }
    }
}
