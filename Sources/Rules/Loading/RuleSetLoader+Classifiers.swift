import StrictYAML
import SwitchboardCore

extension RuleSetLoader {
    struct ParsedClassifiers {
        var negation: Negation
        var intensity: Intensity
        var urgency: UrgencyLevels
        var sentiment: SentimentLevels
        var intents: IntentSet?
        var signals: [Signal]
    }

    func parseClassifiers(_ root: YAMLValue, lexicons: [String: [(String, String)]], calendars: [String: BusinessCalendar], _ log: ProblemLog) -> ParsedClassifiers {
        var result = ParsedClassifiers(
            negation: .none, intensity: .none, urgency: UrgencyLevels(critical: 8, high: 4, normal: 0),
            sentiment: SentimentLevels(negative: -3, positive: 3), intents: nil, signals: [])
        guard let top = root.mapping(log, what: "classifiers.yaml", allowed: ["negation", "intensity", "urgency", "sentiment", "intent"]) else { return result }

        if let negation = top["negation"]?.mapping(log, what: "negation", allowed: ["window", "terms", "exceptions"]) {
            let window = negation.int("window", in: "negation", required: true, log) ?? 0
            if window < 0 || window > 64 { log.report("negation window must be between 0 and 64 units", at: negation["window"]!) }
            let terms = negation.required("terms", in: "negation", log)?.stringList(log, what: "negation terms") ?? []
            let normalizedTerms = terms.map { TextNormalizer.normalize($0.0) }.filter { !$0.isEmpty }
            var exceptions: [String] = []
            for (exception, position) in negation["exceptions"]?.stringList(log, what: "negation exceptions") ?? [] {
                let normalized = TextNormalizer.normalize(exception)
                // An exception only ever matters around a negator it holds; one without any would do nothing.
                if !normalizedTerms.contains(where: { normalized.contains($0) }) {
                    log.report("negation exception '\(exception)' holds no negation term, so it can never apply", at: position)
                } else if normalized.utf8.count > 32 {
                    log.report("negation exception '\(exception)' is longer than 32 bytes", at: position)
                } else {
                    exceptions.append(normalized)
                }
            }
            result.negation = Negation(window: window, terms: normalizedTerms, exceptions: exceptions)
        }

        if let intensity = top["intensity"]?.mapping(log, what: "intensity", allowed: ["window", "terms", "boost", "exclamations", "caps_words"]) {
            let window = intensity.int("window", in: "intensity", log) ?? 3
            if window < 0 || window > 64 { log.report("intensity window must be between 0 and 64 characters", at: intensity["window"]!) }
            let terms = intensity["terms"]?.stringList(log, what: "intensity terms") ?? []
            let boost = intensity.int("boost", in: "intensity", required: true, log) ?? 0
            if boost < 0 { log.report("boost must not be negative", at: intensity["boost"]!) }
            result.intensity = Intensity(
                window: window, terms: terms.map { TextNormalizer.normalize($0.0) }.filter { !$0.isEmpty }, boost: boost,
                exclamations: intensity.int("exclamations", in: "intensity", log) ?? 0,
                capsWords: intensity.int("caps_words", in: "intensity", log) ?? 0)
        }

        // The intents are read first: every signal's `when` is parsed knowing them, so one that tests an
        // intent is refused for reading a classification, not for naming an unknown section.
        let intentSection = top["intent"]?.mapping(log, what: "intent", allowed: ["intents", "default", "signals"])
        result.intents = intentSection.map { parseIntents($0, log) }
        var seen: [String: YAMLValue] = [:]
        for classifier in ["urgency", "sentiment"] {
            guard let section = top.required(classifier, in: "classifiers.yaml", log)?
                .mapping(log, what: classifier, allowed: ["levels", "signals"]) else { continue }
            if let levels = section.required("levels", in: classifier, log) {
                if classifier == "urgency", let map = levels.mapping(log, what: "urgency levels", allowed: ["critical", "high", "normal"]) {
                    let critical = map.int("critical", in: "urgency levels", required: true, log) ?? 8
                    let high = map.int("high", in: "urgency levels", required: true, log) ?? 4
                    let normal = map.int("normal", in: "urgency levels", required: true, log) ?? 0
                    if !(critical > high && high > normal) {
                        log.report("urgency levels must satisfy critical > high > normal", at: levels)
                    }
                    result.urgency = UrgencyLevels(critical: critical, high: high, normal: normal)
                } else if classifier == "sentiment", let map = levels.mapping(log, what: "sentiment levels", allowed: ["negative", "positive", "strong"]) {
                    let negative = map.int("negative", in: "sentiment levels", required: true, log) ?? -3
                    let positive = map.int("positive", in: "sentiment levels", required: true, log) ?? 3
                    let strong = map.int("strong", in: "sentiment levels", log)
                    if !(negative < 0 && positive > 0) {
                        log.report("sentiment levels must have negative < 0 < positive", at: levels)
                    }
                    if let strong, strong > negative {
                        log.report("sentiment level strong (\(strong)) must be at most negative (\(negative)): it is the score from which a negative message reads strongly negative", at: map["strong"]!)
                    }
                    result.sentiment = SentimentLevels(negative: negative, positive: positive, strong: strong)
                }
            }
            parseSignals(section, classifier: classifier, intents: result.intents, lexicons: lexicons, calendars: calendars, seen: &seen, into: &result, log)
        }
        if let intentSection {
            parseSignals(intentSection, classifier: "intent", intents: result.intents, lexicons: lexicons, calendars: calendars, seen: &seen, into: &result, log)
        }
        return result
    }

    /// The `intent` section's list of intents and its default.
    private func parseIntents(_ section: YAMLMapping, _ log: ProblemLog) -> IntentSet {
        var ids: [String] = []
        for (id, position) in section.required("intents", in: "intent", log)?.stringList(log, what: "intents") ?? [] {
            if !RuleSetLoader.isValidID(id) { log.report("intent '\(id)' must be lower-case letters, digits, dashes and underscores", at: position) }
            if ids.contains(id) { log.report("intent '\(id)' is listed twice", at: position) } else { ids.append(id) }
        }
        let fallback = section.string("default", in: "intent", required: true, log) ?? ids.last ?? ""
        if let position = section["default"], !ids.contains(fallback) {
            log.report("default intent '\(fallback)' is not one of the intents (\(ids.joined(separator: ", ")))", at: position)
        }
        return IntentSet(ids: ids, fallback: fallback)
    }

    /// The `signals` of one section, each id unique across every section.
    private func parseSignals(
        _ section: YAMLMapping, classifier: String, intents: IntentSet?, lexicons: [String: [(String, String)]],
        calendars: [String: BusinessCalendar], seen: inout [String: YAMLValue], into result: inout ParsedClassifiers, _ log: ProblemLog
    ) {
        for item in section.required("signals", in: classifier, log)?.items(log, what: "signals") ?? [] {
            guard let signal = parseSignal(item, classifier: classifier, intents: intents, lexicons: lexicons, calendars: calendars, log) else { continue }
            if let first = seen[signal.id] {
                log.report("duplicate signal id '\(signal.id)' (first defined at line \(first.line))", at: item)
                continue
            }
            seen[signal.id] = item
            result.signals.append(signal)
        }
    }

    private func parseSignal(
        _ item: YAMLValue, classifier: String, intents: IntentSet?, lexicons: [String: [(String, String)]],
        calendars: [String: BusinessCalendar], _ log: ProblemLog
    ) -> Signal? {
        let what = "\(classifier) signal"
        var allowed = ["id", "description", "weight", "lexicon", "keywords", "regex", "fields", "negatable", "intensifiable", "when"]
        if classifier == "intent" { allowed.append("intent") }
        guard let map = item.mapping(log, what: what, allowed: allowed) else { return nil }
        guard let id = map.string("id", in: what, required: true, log) else { return nil }
        if !RuleSetLoader.isValidID(id) { log.report("signal id '\(id)' must be lower-case letters, digits and dashes", at: map["id"]!) }
        let weight = map.int("weight", in: "signal '\(id)'", required: true, log) ?? 0
        if weight == 0, map["weight"] != nil { log.report("signal '\(id)' has weight 0, so it can never change a score", at: map["weight"]!) }
        var intent: String?
        if classifier == "intent", let intents {
            // An intent's total only competes when it is above zero, so a negative weight could only hide it.
            if weight < 0, let position = map["weight"] { log.report("intent signal '\(id)' has a negative weight; intent weights add up toward their intent and must be positive", at: position) }
            intent = map.string("intent", in: "signal '\(id)'", required: true, log)
            if let intent, let position = map["intent"], !intents.ids.contains(intent) {
                log.report("signal '\(id)' counts toward intent '\(intent)', which is not listed under intents (\(intents.ids.joined(separator: ", ")))", at: position)
            }
        }

        var terms: [Signal.Term] = []
        func origin(_ value: YAMLValue) -> String { "\(value.file):\(value.line):\(value.column)" }
        if let lexiconNames = map["lexicon"]?.stringList(log, what: "lexicon") {
            for (name, position) in lexiconNames {
                guard let lexicon = lexicons[name] else {
                    let known = lexicons.keys.sorted().joined(separator: ", ")
                    log.report("signal '\(id)' refers to lexicon '\(name)', which does not exist in lexicons/ (known: \(known))", at: position)
                    continue
                }
                for (term, termOrigin) in lexicon {
                    terms.append(Signal.Term(kind: .keyword, text: term, origin: termOrigin))
                }
            }
        }
        for (term, position) in map["keywords"]?.stringList(log, what: "keywords") ?? [] {
            terms.append(Signal.Term(kind: .keyword, text: term, origin: origin(position)))
        }
        for (pattern, position) in map["regex"]?.stringList(log, what: "regex") ?? [] {
            terms.append(Signal.Term(kind: .regex, text: pattern, origin: origin(position)))
        }
        // Keywords are matched in folded form; one that folds to nothing could never match, and variants
        // that fold to the same text (態度 and 态度) are compiled once. A term with a contraction also
        // matches it typed without the apostrophe ("can't log in" and "cant log in").
        var folded = Set<String>()
        terms = terms.flatMap { term -> [Signal.Term] in
            guard term.kind == .keyword else { return [term] }
            let normalized = TextNormalizer.normalize(term.text)
            if normalized.isEmpty {
                log.report(Problem(origin: term.origin, message: "keyword of signal '\(id)' is empty after normalization"))
                return []
            }
            return [normalized, Contractions.unpunctuated(normalized)].compactMap { spelling in
                guard let spelling, folded.insert(spelling).inserted else { return nil }
                return Signal.Term(kind: .keyword, text: spelling, origin: term.origin)
            }
        }
        for term in terms where term.text.utf8.count > RuleSetLoader.maximumPatternLength {
            log.report(Problem(origin: term.origin, message: "term of signal '\(id)' is longer than \(RuleSetLoader.maximumPatternLength) bytes"))
        }

        var fields: Set<String> = ["subject", "text"]
        if let list = map["fields"]?.stringList(log, what: "fields") {
            fields = []
            for (field, position) in list {
                if field == "subject" || field == "text" { fields.insert(field) } else {
                    log.report("unknown field '\(field)' (expected subject or text)", at: position)
                }
            }
        }
        let condition = map["when"].flatMap { parseCondition($0, signals: nil, calendars: calendars, intents: intents, log) }
        if let condition, condition.readsClassification {
            log.report("a signal's `when` may not test urgency, sentiment, sentiment strength, intent or other signals (only message fields, customer tier, conversation facts and business hours)", at: map["when"]!)
        }
        if terms.isEmpty && condition == nil && map["lexicon"] == nil && map["keywords"] == nil && map["regex"] == nil {
            log.report("signal '\(id)' needs at least one of lexicon, keywords, regex or when", at: item)
        }
        return Signal(
            id: id, description: map.string("description", in: what, log), classifier: classifier, weight: weight,
            terms: terms, fields: fields, negatable: map.bool("negatable", log) ?? true, intensifiable: map.bool("intensifiable", log) ?? true,
            condition: condition, intent: intent)
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}
