import Foundation
import StrictYAML
import SwitchboardCore

extension RuleSetLoader {
    static let conditionKeys = [
        "all", "any", "not", "urgency", "urgency_at_least", "sentiment", "sentiment_strength", "intent", "channel", "source",
        "customer_tier", "language", "signal", "sender_domain", "repeat_contact", "waited_at_least", "reopened",
        "business_hours", "outside_business_hours",
    ]

    /// Parses a `when` condition; a mapping with several keys means all of them must hold.
    /// - Parameters:
    ///   - signals: known signal ids, or nil where `signal:` conditions are not checked.
    ///   - calendars: known business calendars.
    ///   - intents: the rules' intents, or nil where there are none (then `intent:` is refused).
    ///   - classifiersRead: false when classifiers.yaml could not be read at all; its own problem is
    ///     reported, and `signal:` / `intent:` references are then not checked, so one syntax error there
    ///     does not bury itself under a "not defined" for every route that names a signal.
    func parseCondition(
        _ value: YAMLValue, signals: Set<String>?, calendars: [String: BusinessCalendar]?, intents: IntentSet? = nil,
        classifiersRead: Bool = true, _ log: ProblemLog
    ) -> Condition? {
        guard let map = value.mapping(log, what: "condition", allowed: Self.conditionKeys) else { return nil }
        if map.entries.isEmpty {
            log.report("empty condition", at: value)
            return nil
        }
        var parts: [Condition] = []
        for entry in map.entries {
            if let part = parseConditionEntry(
                entry.key, entry.value, signals: signals, calendars: calendars, intents: intents, classifiersRead: classifiersRead, log
            ) { parts.append(part) }
        }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    private func parseConditionEntry(
        _ key: String, _ value: YAMLValue, signals: Set<String>?, calendars: [String: BusinessCalendar]?, intents: IntentSet?,
        classifiersRead: Bool, _ log: ProblemLog
    ) -> Condition? {
        func list<T>(_ parse: (String) -> T?, expected: String) -> Set<T>? {
            guard let items = value.stringList(log, what: key) else { return nil }
            var out = Set<T>()
            for (text, position) in items {
                if let parsed = parse(text) { out.insert(parsed) } else {
                    log.report("'\(text)' is not a valid \(key) (expected \(expected))", at: position)
                }
            }
            return out.isEmpty ? nil : out
        }
        switch key {
        case "all", "any":
            guard let items = value.items(log, what: key) else { return nil }
            if items.isEmpty { log.report("'\(key)' needs at least one condition", at: value) }
            let parsed = items.compactMap { parseCondition($0, signals: signals, calendars: calendars, intents: intents, classifiersRead: classifiersRead, log) }
            return key == "all" ? .all(parsed) : .any(parsed)
        case "not":
            return parseCondition(value, signals: signals, calendars: calendars, intents: intents, classifiersRead: classifiersRead, log).map { .not($0) }
        case "urgency":
            return list({ Urgency(rawValue: $0) }, expected: "low, normal, high or critical").map { .urgency($0) }
        case "urgency_at_least":
            guard let text = value.string(log, what: key) else { return nil }
            guard let level = Urgency(rawValue: text) else {
                log.report("'\(text)' is not an urgency level (expected low, normal, high or critical)", at: value)
                return nil
            }
            return .urgencyAtLeast(level)
        case "sentiment":
            return list({ Sentiment(rawValue: $0) }, expected: "negative, neutral or positive").map { .sentiment($0) }
        case "sentiment_strength":
            return list({ SentimentStrength(rawValue: $0) }, expected: "mild or strong").map { .sentimentStrength($0) }
        case "intent":
            guard let intents else {
                if !classifiersRead { return list({ $0 }, expected: "an intent").map { .intent($0) } }
                log.report("condition tests intent, but classifiers.yaml has no intent section", at: value)
                return nil
            }
            return list({ intents.ids.contains($0) ? $0 : nil }, expected: "one of " + intents.ids.joined(separator: ", ")).map { .intent($0) }
        case "customer_tier":
            return list({ CustomerTier(rawValue: $0) }, expected: "new, ordinary, vip or strategic").map { .customerTier($0) }
        case "channel":
            let names = channels.map(\.rawValue)
            return list({ names.contains($0) ? $0 : nil }, expected: ChannelKind.alternatives(channels)).map { .channel($0) }
        case "source":
            return list({ $0 }, expected: "a source id").map { .source($0) }
        case "language":
            return list({ $0 }, expected: "a language code").map { .language($0) }
        case "sender_domain":
            return list({ $0.lowercased() }, expected: "a domain").map { .senderDomain($0) }
        case "signal":
            guard let items = value.stringList(log, what: key) else { return nil }
            if let signals {
                for (id, position) in items where !signals.contains(id) {
                    log.report("condition refers to signal '\(id)', which is not defined in classifiers.yaml", at: position)
                }
            }
            return .signal(Set(items.map(\.0)))
        case "repeat_contact":
            // `true` (any earlier message in the open conversation) or a window such as `24h`.
            guard let text = value.string(log, what: key) else { return nil }
            if text == "true" { return .repeatContact(within: nil) }
            guard let seconds = DurationText.seconds(text) else {
                log.report("repeat_contact takes true or a window such as 24h", at: value)
                return nil
            }
            return .repeatContact(within: seconds)
        case "waited_at_least":
            guard let text = value.string(log, what: key) else { return nil }
            guard let seconds = DurationText.seconds(text) else {
                log.report("'\(text)' is not a duration (write e.g. 30m, 2h, 1d)", at: value)
                return nil
            }
            return .waitedAtLeast(seconds)
        case "reopened":
            return value.bool(log, what: key).map { .reopened($0) }
        case "business_hours", "outside_business_hours":
            guard let calendar = value.string(log, what: key) else { return nil }
            if let calendars, calendars[calendar] == nil {
                let known = calendars.keys.sorted().joined(separator: ", ")
                log.report("calendar '\(calendar)' is not defined in calendars.yaml (known: \(known.isEmpty ? "none" : known))", at: value)
            }
            return .businessHours(calendar: calendar, open: key == "business_hours")
        default:
            return nil
        }
    }
}
