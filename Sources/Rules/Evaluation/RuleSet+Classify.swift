import SwitchboardCore

/// The fields of a message the rules read.
public struct ClassificationInput: Sendable, Equatable {
    public var channel: String
    public var source: String
    public var sender: String
    public var subject: String
    public var text: String

    public init(channel: String, source: String, sender: String, subject: String?, text: String) {
        self.channel = channel
        self.source = source
        self.sender = sender
        self.subject = subject ?? ""
        self.text = text
    }
}

extension RuleSet {
    /// Most matches kept per signal in the explanation; enough to explain, small enough to store.
    static let matchesKeptPerSignal = 5

    /// Classifies and routes a message, recording why.
    public func classify(_ input: ClassificationInput) -> Classification {
        let fields = [("subject", TextNormalizer.normalize(input.subject)), ("text", TextNormalizer.normalize(input.text))]
        let language = TextNormalizer.detectLanguage(input.subject + " " + input.text)
        let tier = customers.tier(of: input.sender)
        let senderDomain = CustomerDirectory.domain(of: input.sender)

        // Which terms hit, per signal.
        var hitsBySignal = [[SignalMatch]](repeating: [], count: signals.count)
        for (fieldName, text) in fields where !text.isEmpty {
            let scalars = Array(text.unicodeScalars)
            let offsets = Self.scalarIndexByByteOffset(scalars)
            for hit in database.scan(text) {
                let owner = patternOwners[hit.pattern]
                let signal = signals[owner.signal]
                guard signal.fields.contains(fieldName) else { continue }
                let term = signal.terms[owner.term]
                let negated = signal.negatable && negation.window > 0
                    && isNegated(scalars, hitStart: offsets[hit.start] ?? 0)
                hitsBySignal[owner.signal].append(SignalMatch(
                    classifier: signal.classifier, signal: signal.id, kind: term.kind == .regex ? .regex : .keyword,
                    term: term.text, field: fieldName, start: hit.start, end: hit.end, weight: signal.weight,
                    negated: negated))
            }
        }

        let fieldFacts = ConditionFacts(
            urgency: .normal, sentiment: .neutral, channel: input.channel, source: input.source, customerTier: tier,
            language: language, firedSignals: [], senderDomain: senderDomain)
        var matches: [SignalMatch] = []
        var fired = Set<String>()
        var urgencyScore = 0
        var sentimentScore = 0
        for (index, signal) in signals.enumerated() {
            if let condition = signal.condition, !condition.holds(for: fieldFacts) { continue }
            let hits = Self.explanationHits(hitsBySignal[index])
            let counts: Bool
            if signal.terms.isEmpty {
                counts = true
                matches.append(SignalMatch(
                    classifier: signal.classifier, signal: signal.id, kind: .field, term: "when", field: nil,
                    start: nil, end: nil, weight: signal.weight, negated: false))
            } else {
                counts = hits.contains { !$0.negated }
                matches.append(contentsOf: hits)
            }
            guard counts else { continue }
            fired.insert(signal.id)
            if signal.classifier == "urgency" { urgencyScore += signal.weight } else { sentimentScore += signal.weight }
        }

        let urgency = urgencyLevels.level(for: urgencyScore)
        let sentiment = sentimentLevels.level(for: sentimentScore)
        var facts = fieldFacts
        facts.urgency = urgency
        facts.sentiment = sentiment
        facts.firedSignals = fired
        return Classification(
            rulesVersion: version, language: language, customerTier: tier, urgency: urgency, urgencyScore: urgencyScore,
            sentiment: sentiment, sentimentScore: sentimentScore, matches: matches, route: route(for: facts))
    }

    /// Runs the routes in order: the default route's actions are the base, each route that fires
    /// overrides what it names, and `stop` ends the walk.
    public func route(for facts: ConditionFacts) -> RouteDecision {
        let base = routes.first { $0.isDefault }!
        var decision = RouteDecision(
            routeID: base.id, fired: [], queue: base.queue!, priority: base.priority!, slaPolicy: base.slaPolicy!,
            autoReply: base.autoReply.flatMap { if case let .script(id) = $0 { id } else { nil } })
        for route in routes where !route.isDefault {
            guard route.condition?.holds(for: facts) == true else { continue }
            decision.fired.append(route.id)
            decision.routeID = route.id
            if let queue = route.queue { decision.queue = queue }
            if let priority = route.priority { decision.priority = priority }
            if let sla = route.slaPolicy { decision.slaPolicy = sla }
            switch route.autoReply {
            case let .script(id)?: decision.autoReply = id
            case .suppress?: decision.autoReply = nil
            case nil: break
            }
            if route.stop { break }
        }
        if decision.fired.isEmpty { decision.fired = [base.id] }
        return decision
    }

    /// One entry per distinct term and field: the first hit that counts, else the first negated one.
    static func explanationHits(_ hits: [SignalMatch]) -> [SignalMatch] {
        var chosen: [String: SignalMatch] = [:]
        var order: [String] = []
        for hit in hits {
            let key = hit.term + "\u{0}" + (hit.field ?? "")
            if let existing = chosen[key] {
                if existing.negated && !hit.negated { chosen[key] = hit }
            } else {
                chosen[key] = hit
                order.append(key)
            }
        }
        let all = order.map { chosen[$0]! }
        let counting = all.filter { !$0.negated }
        let negated = all.filter(\.negated)
        return Array((counting + negated).prefix(matchesKeptPerSignal))
    }

    /// A negator ending inside the window before the hit, in the same clause, cancels it.
    func isNegated(_ scalars: [Unicode.Scalar], hitStart: Int) -> Bool {
        var windowStart = hitStart
        while windowStart > 0, hitStart - windowStart < negation.window, !Self.isClauseBoundary(scalars[windowStart - 1]) {
            windowStart -= 1
        }
        guard windowStart < hitStart else { return false }
        for negator in negation.terms {
            let needle = Array(negator.unicodeScalars)
            guard needle.count <= hitStart - windowStart else { continue }
            let wordLike = needle.allSatisfy(PatternDatabase.isWordScalar)
            var start = windowStart
            while start + needle.count <= hitStart {
                if Array(scalars[start..<(start + needle.count)]) == needle {
                    let before = start > 0 ? scalars[start - 1] : " "
                    let after = scalars[start + needle.count]
                    if !wordLike || (!PatternDatabase.isWordScalar(before) && !PatternDatabase.isWordScalar(after)) {
                        return true
                    }
                }
                start += 1
            }
        }
        return false
    }

    static func isClauseBoundary(_ scalar: Unicode.Scalar) -> Bool {
        "，。！？；：,.!?;:\n、（）()\"“”".unicodeScalars.contains(scalar)
    }

    /// Maps UTF-8 byte offsets (what vectorscan reports) to scalar indices.
    static func scalarIndexByByteOffset(_ scalars: [Unicode.Scalar]) -> [Int: Int] {
        var map: [Int: Int] = [:]
        var offset = 0
        for (index, scalar) in scalars.enumerated() {
            map[offset] = index
            offset += UTF8.width(scalar)
        }
        map[offset] = scalars.count
        return map
    }
}
