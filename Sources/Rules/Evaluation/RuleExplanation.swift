import SwitchboardCore

/// What one classification recorded to explain itself: the kept hits as indexes into the rule set,
/// the field signals that fired, and the facts the routes read (which routes fired is worked out again
/// from them). Worded into ``SignalMatch``es and ``RouteReason``s only when read (see
/// ``DeferredExplanation``); immutable, so any thread may.
final class RuleExplanation: DeferredExplanation {
    private let rules: RuleSet
    private let kept: [RuleSet.KeptHit]
    private let fieldSignals: [Int]
    /// The customer's own subject and text (field 0 and 1).
    private let subject: String
    private let text: String
    /// The folded fields, for their maps back to the customer's text.
    private let folded: (subject: FoldedText, text: FoldedText)
    /// What routes read. Field signals' conditions read the same facts before there were scores.
    private let facts: MessageFacts

    init(
        rules: RuleSet, kept: [RuleSet.KeptHit], fieldSignals: [Int], subject: String, text: String,
        folded: (subject: FoldedText, text: FoldedText), facts: MessageFacts
    ) {
        self.rules = rules
        self.kept = kept
        self.fieldSignals = fieldSignals
        self.subject = subject
        self.text = text
        self.folded = folded
        self.facts = facts
    }

    /// Term matches with positions in the customer's own text, then field signals.
    func signalMatches() -> [SignalMatch] {
        var matches: [SignalMatch] = []
        matches.reserveCapacity(kept.count + fieldSignals.count)
        for kept in kept {
            let signal = rules.signals[kept.signal]
            let hit = kept.hit
            let term = signal.terms[Int(hit.term)]
            var (fieldName, original) = hit.field == 0 ? ("subject", subject) : ("text", text)
            // The match starts where its first folded byte came from and ends with the character its
            // last folded byte came from.
            let map = hit.field == 0 ? folded.subject : folded.text
            let lastStart = map.originalOffset(of: max(Int(hit.end) - 1, 0))
            let start = hit.startKnown ? map.originalOffset(of: Int(hit.start)) : nil
            let (end, matched) = original.withUTF8 { bytes -> (Int, String?) in
                let end = RuleSet.endOfCharacter(in: bytes, startingAt: lastStart)
                return (end, start.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0..<end]), as: UTF8.self) })
            }
            matches.append(SignalMatch(
                classifier: signal.classifier, signal: signal.id, kind: term.kind == .regex ? .regex : .keyword,
                term: term.text, field: fieldName, start: start, end: end, text: matched, weight: kept.weight,
                negated: hit.negated, intensified: hit.intensified ? true : nil))
        }
        var fieldFacts = facts.conditionFacts(firedSignals: [], intents: rules.intents, calendars: rules.calendars)
        (fieldFacts.urgency, fieldFacts.sentiment, fieldFacts.sentimentStrength, fieldFacts.intent) = (.normal, .neutral, nil, nil)
        for index in fieldSignals {
            let signal = rules.signals[index]
            matches.append(SignalMatch(
                classifier: signal.classifier, signal: signal.id, kind: .field,
                term: signal.condition.map { $0.explain(for: fieldFacts) } ?? "when", field: nil, start: nil, end: nil,
                weight: signal.weight, negated: false))
        }
        return matches
    }

    /// Signals with a hit that counted, in rule order, then field signals: the order of ``signalMatches()``.
    func firedSignals() -> [String] {
        var ids: [String] = []
        var last = -1
        for kept in kept where !kept.hit.negated && kept.signal != last {
            ids.append(rules.signals[kept.signal].id)
            last = kept.signal
        }
        for index in fieldSignals { ids.append(rules.signals[index].id) }
        return ids
    }

    /// The satisfied part of each fired route's condition, or the default route when none fired.
    func routeReasons() -> [RouteReason] {
        let firedRoutes = rules.firedRoutes(facts)
        guard !firedRoutes.isEmpty else { return [RouteReason(route: rules.routes[rules.defaultRouteIndex].id, condition: "default")] }
        let fired = Set(rules.signals.indices.lazy.filter { self.facts.fired.contains($0) }.map { self.rules.signals[$0].id })
        let facts = facts.conditionFacts(firedSignals: fired, intents: rules.intents, calendars: rules.calendars)
        return firedRoutes.map { index in
            let route = rules.routes[index]
            return RouteReason(route: route.id, condition: route.condition!.explain(for: facts))
        }
    }
}
