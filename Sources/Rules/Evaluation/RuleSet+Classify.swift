import Foundation
import SwitchboardCore

/// The fields of a message the rules read, and what is known of its conversation.
public struct ClassificationInput: Sendable, Equatable {
    public var channel: String
    public var source: String
    public var sender: String
    public var subject: String
    public var text: String
    public var receivedAt: Date
    /// Facts about the open conversation the message joins, if any.
    public var context: ConversationContext?

    public init(
        channel: String, source: String, sender: String, subject: String?, text: String, receivedAt: Date = Date(),
        context: ConversationContext? = nil
    ) {
        self.channel = channel
        self.source = source
        self.sender = sender
        self.subject = subject ?? ""
        self.text = text
        self.receivedAt = receivedAt
        self.context = context
    }
}

extension RuleSet {
    /// Most matches kept per signal in the explanation; enough to explain, small enough to store.
    static let matchesKeptPerSignal = 5

    /// Classifies and routes a message, recording why.
    public func classify(_ input: ClassificationInput) -> Classification {
        let language = TextNormalizer.detectLanguage(input.subject + " " + input.text)
        let tier = customers.tier(of: input.sender)
        let senderDomain = CustomerDirectory.domain(of: input.sender)

        var hitsBySignal = [[SignalMatch]](repeating: [], count: signals.count)
        var shouting = false
        for (fieldName, original) in [("subject", input.subject), ("text", input.text)] where !original.isEmpty {
            let normalized = TextNormalizer.normalize(original)
            if !shouting { shouting = isShouting(original: original, normalized: normalized) }
            let hits = database.scan(normalized)
            if hits.isEmpty { continue }
            // Positions are mapped back to the customer's own text only when something matched.
            let (_, offsets) = TextNormalizer.normalizeWithOffsets(original)
            let bytes = Array(normalized.utf8)
            let originalBytes = Array(original.utf8)
            for hit in hits {
                let owner = patternOwners[hit.pattern]
                let signal = signals[owner.signal]
                guard signal.fields.contains(fieldName) else { continue }
                let term = signal.terms[owner.term]
                let negated = signal.negatable && precededBy(negation.terms, window: negation.window, in: bytes, at: hit.start)
                let intensified = signal.intensifiable && intensity.boost > 0
                    && precededBy(intensity.terms, window: intensity.window, in: bytes, at: hit.start)
                // The match starts where its first folded byte came from and ends with the character its
                // last folded byte came from.
                let start = offsets[min(hit.start, offsets.count - 1)]
                let endOfLast = Self.endOfCharacter(in: originalBytes, startingAt: offsets[max(hit.end - 1, hit.start)])
                hitsBySignal[owner.signal].append(SignalMatch(
                    classifier: signal.classifier, signal: signal.id, kind: term.kind == .regex ? .regex : .keyword,
                    term: term.text, field: fieldName, start: start, end: endOfLast,
                    text: String(decoding: originalBytes[start..<endOfLast], as: UTF8.self), weight: signal.weight,
                    negated: negated, intensified: intensified ? true : nil))
            }
        }

        let fieldFacts = ConditionFacts(
            urgency: .normal, sentiment: .neutral, channel: input.channel, source: input.source, customerTier: tier,
            language: language, firedSignals: [], senderDomain: senderDomain, receivedAt: input.receivedAt,
            context: input.context, calendars: calendars)
        var matches: [SignalMatch] = []
        var fired = Set<String>()
        var urgencyScore = 0
        var sentimentScore = 0
        for (index, signal) in signals.enumerated() {
            if let condition = signal.condition, !condition.holds(for: fieldFacts) { continue }
            var weight = signal.weight
            if signal.terms.isEmpty {
                matches.append(SignalMatch(
                    classifier: signal.classifier, signal: signal.id, kind: .field,
                    term: signal.condition.map { $0.explain(for: fieldFacts) } ?? "when", field: nil, start: nil, end: nil,
                    weight: weight, negated: false))
            } else {
                var hits = Self.explanationHits(hitsBySignal[index])
                guard hits.contains(where: { !$0.negated }) else {
                    matches.append(contentsOf: hits)
                    continue
                }
                let intensified = signal.intensifiable && intensity.boost > 0
                    && (shouting || hits.contains { !$0.negated && $0.intensified == true })
                if intensified {
                    weight += weight >= 0 ? intensity.boost : -intensity.boost
                    for hitIndex in hits.indices where !hits[hitIndex].negated {
                        hits[hitIndex].weight = weight
                        hits[hitIndex].intensified = true
                    }
                }
                matches.append(contentsOf: hits)
            }
            fired.insert(signal.id)
            if signal.classifier == "urgency" { urgencyScore += weight } else { sentimentScore += weight }
        }

        let urgency = urgencyLevels.level(for: urgencyScore)
        let sentiment = sentimentLevels.level(for: sentimentScore)
        var facts = fieldFacts
        facts.urgency = urgency
        facts.sentiment = sentiment
        facts.firedSignals = fired
        var classification = Classification(
            rulesVersion: version, language: language, customerTier: tier, urgency: urgency, urgencyScore: urgencyScore,
            sentiment: sentiment, sentimentScore: sentimentScore, matches: matches, route: route(for: facts))
        classification.context = input.context
        return classification
    }

    /// Runs the routes in order: the default route's actions are the base, each route that fires
    /// overrides what it names, and `stop` ends the walk.
    public func route(for facts: ConditionFacts) -> RouteDecision {
        let base = routes.first { $0.isDefault }!
        var decision = RouteDecision(
            routeID: base.id, fired: [], queue: base.queue!, priority: base.priority!, slaPolicy: base.slaPolicy!,
            autoReply: base.autoReply.flatMap { if case let .script(id) = $0 { id } else { nil } })
        var reasons: [RouteReason] = []
        for route in routes where !route.isDefault {
            guard let condition = route.condition, condition.holds(for: facts) else { continue }
            decision.fired.append(route.id)
            reasons.append(RouteReason(route: route.id, condition: condition.explain(for: facts)))
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
        if decision.fired.isEmpty {
            decision.fired = [base.id]
            reasons = [RouteReason(route: base.id, condition: "default")]
        }
        decision.reasons = reasons
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
        return Array((all.filter { !$0.negated } + all.filter(\.negated)).prefix(matchesKeptPerSignal))
    }

    /// Whether one of `terms` ends within `window` characters before byte `position`, in the same clause.
    /// Terms made of ASCII letters must stand as whole words (`know` does not hold the negator `no`).
    func precededBy(_ terms: [String], window: Int, in bytes: [UInt8], at position: Int) -> Bool {
        guard window > 0, !terms.isEmpty, position > 0 else { return false }
        // Walk back `window` characters, stopping at a clause boundary.
        var windowStart = position
        var characters = 0
        while windowStart > 0, characters < window {
            var previous = windowStart - 1
            while previous > 0, bytes[previous] & 0xC0 == 0x80 { previous -= 1 }
            if Self.isClauseBoundary(bytes, at: previous) { break }
            windowStart = previous
            characters += 1
        }
        guard windowStart < position else { return false }
        for term in terms {
            let needle = Array(term.utf8)
            guard needle.count <= position - windowStart else { continue }
            let wordLike = needle.allSatisfy { Self.isASCIIWordByte($0) }
            var start = windowStart
            while start + needle.count <= position {
                if bytes[start] == needle[0], Array(bytes[start..<(start + needle.count)]) == needle {
                    let before = start > 0 ? bytes[start - 1] : 0x20
                    let after = start + needle.count < bytes.count ? bytes[start + needle.count] : 0x20
                    if !wordLike || (!Self.isASCIIWordByte(before) && !Self.isASCIIWordByte(after)) { return true }
                }
                start += 1
            }
        }
        return false
    }

    /// A run of exclamation marks, or several words in capitals: the customer is shouting.
    func isShouting(original: String, normalized: String) -> Bool {
        if intensity.exclamations > 0 {
            var run = 0
            for byte in normalized.utf8 {
                run = byte == UInt8(ascii: "!") ? run + 1 : 0
                if run >= intensity.exclamations { return true }
            }
        }
        if intensity.capsWords > 0 {
            var words = 0
            var capitals = 0
            var lower = false
            for scalar in original.unicodeScalars {
                if ("A"..."Z").contains(scalar) {
                    capitals += 1
                } else if ("a"..."z").contains(scalar) {
                    lower = true
                } else {
                    if capitals >= 3 && !lower { words += 1 }
                    capitals = 0
                    lower = false
                }
            }
            if capitals >= 3 && !lower { words += 1 }
            if words >= intensity.capsWords { return true }
        }
        return false
    }

    static func isASCIIWordByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x7A).contains(byte) || (0x41...0x5A).contains(byte) || byte == 0x5F
    }

    /// Punctuation that ends a clause, so a negator in one clause never reaches a cue in the next.
    static let clauseBoundaries: [[UInt8]] = "，。！？；：,.!?;:\n、（）()\"“”".unicodeScalars.map { Array(String($0).utf8) }

    static func isClauseBoundary(_ bytes: [UInt8], at index: Int) -> Bool {
        clauseBoundaries.contains { boundary in
            index + boundary.count <= bytes.count && bytes[index] == boundary[0]
                && Array(bytes[index..<(index + boundary.count)]) == boundary
        }
    }

    /// The end of the UTF-8 character that starts at `index`.
    static func endOfCharacter(in bytes: [UInt8], startingAt index: Int) -> Int {
        guard index < bytes.count else { return bytes.count }
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return end
    }
}
