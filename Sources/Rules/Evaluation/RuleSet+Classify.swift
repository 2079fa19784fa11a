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

    /// A hit before it becomes part of the explanation: no strings, so unexplained hits cost little.
    struct RawHit {
        var term: Int32
        var field: Int8
        var start: Int32
        var end: Int32
        var negated: Bool
        var intensified: Bool
        var startKnown: Bool
    }

    /// A hit with the signal its pattern belongs to.
    struct SignalHit {
        var signal: Int32
        var hit: RawHit
    }

    /// Hits of one field that fit in the stack space ``classify(_:)`` starts with; a message with more is
    /// classified again with more room.
    static let hitsOnStack = 128

    /// Classifies and routes a message, recording why. The record is kept as indexes and worded into
    /// ``Classification/matches`` and ``RouteDecision/reasons`` when they are read (``RuleExplanation``).
    public func classify(_ input: ClassificationInput) -> Classification {
        let subject = FoldedText(input.subject)
        let text = FoldedText(input.text)
        var room = Self.hitsOnStack
        while true {
            let classified = withUnsafeTemporaryAllocation(of: PatternDatabase.Hit.self, capacity: room) { hits in
                // Both fields' hits, each handed to every signal its pattern serves.
                withUnsafeTemporaryAllocation(of: SignalHit.self, capacity: 2 * room * patternOwners.most) { signalHits in
                    classify(input, subject: subject, text: text, hits: hits, signalHits: signalHits)
                }
            }
            if let classified { return classified }
            room *= 8
        }
    }

    /// Classifies with scratch space for `hits.count` hits per field, or returns nil when a field has more.
    private func classify(
        _ input: ClassificationInput, subject: FoldedText, text: FoldedText,
        hits: UnsafeMutableBufferPointer<PatternDatabase.Hit>, signalHits: UnsafeMutableBufferPointer<SignalHit>
    ) -> Classification? {
        let tier = customerIndex.tier(of: input.sender)
        let language = subject.hasIdeographs || text.hasIdeographs ? "zh" : "en"

        // Every hit of both fields, tagged with its signal.
        var found = 0
        let complete = database.withScanner { scanner in
            collectHits(subject, field: 0, scanner: scanner, hits: hits, into: signalHits, found: &found)
                && collectHits(text, field: 1, scanner: scanner, hits: hits, into: signalHits, found: &found)
        }
        guard complete else { return nil }
        let shouting = subject.emphasis.isShouting(exclamations: intensity.exclamations, capitalWords: intensity.capsWords)
            || text.emphasis.isShouting(exclamations: intensity.exclamations, capitalWords: intensity.capsWords)

        var facts = MessageFacts(
            channel: input.channel, source: input.source, customerTier: tier, language: language,
            sender: input.sender, receivedAt: input.receivedAt, context: input.context)
        var kept: [KeptHit] = []
        kept.reserveCapacity(found)
        var fieldSignals: [Int] = []
        var fired = SignalBits()
        var urgencyScore = 0
        var sentimentScore = 0
        let intentCount = intents?.ids.count ?? 0
        let signalCount = signalTraits.count
        // The hits grouped by signal, each group in the order found: a counting sort into scratch space on
        // the stack, as there are few hits and the signal walk below visits every signal anyway. The same
        // space then has room for the hits chosen from one group.
        let room = max(found, 1)
        // The group starts, then each intent's total, in one stretch of stack space.
        let intent: Int? = withUnsafeTemporaryAllocation(of: Int32.self, capacity: signalCount + 1 + intentCount) { scratch in
            scratch.initialize(repeating: 0)
            let starts = UnsafeMutableBufferPointer(rebasing: scratch[..<(signalCount + 1)])
            let intentScores = UnsafeMutableBufferPointer(rebasing: scratch[(signalCount + 1)...])
            withUnsafeTemporaryAllocation(of: RawHit.self, capacity: 2 * room) { space in
                let grouped = UnsafeMutableBufferPointer(rebasing: space[..<room])
                let chosenSpace = UnsafeMutableBufferPointer(rebasing: space[room...])
                for entry in signalHits[..<found] { starts[Int(entry.signal) + 1] += 1 }
                for index in 0..<signalCount { starts[index + 1] += starts[index] }
                for entry in signalHits[..<found] {
                    let slot = Int(starts[Int(entry.signal)])
                    (grouped.baseAddress! + slot).initialize(to: entry.hit)
                    starts[Int(entry.signal)] += 1
                }
                // Each group now ends where the next began; walking forward, a group starts where the
                // last one ended.
                var cursor = 0
                signalTraits.withUnsafeBufferPointer { traits in
                    for index in 0..<signalCount {
                        let first = cursor
                        cursor = Int(starts[index])
                        let signal = traits[index]
                        // Signals' own conditions never read scores or other signals (the loader refuses
                        // them), so the facts as they stand before scoring are the ones they mean.
                        if let predicate = signalPredicates[index], !predicate.holds(facts) { continue }
                        var weight = signal.weight
                        if !signal.hasTerms {
                            fieldSignals.append(index)
                        } else {
                            if first == cursor { continue }
                            let chosen = Self.explanationHits(
                                UnsafeBufferPointer(rebasing: UnsafeBufferPointer(grouped)[first..<cursor]), into: chosenSpace)
                            guard chosen.contains(where: { !$0.negated }) else {
                                for hit in chosen { kept.append(KeptHit(signal: index, hit: hit, weight: weight)) }
                                continue
                            }
                            // An intent is a topic, not a tone: emphasis does not make it more of one.
                            let intensified = signal.intensifiable && intensity.boost > 0 && signal.score != .intent
                                && (shouting || chosen.contains { $0.intensified })
                            if intensified { weight += weight >= 0 ? intensity.boost : -intensity.boost }
                            for var hit in chosen {
                                if !hit.negated { hit.intensified = intensified }
                                kept.append(KeptHit(signal: index, hit: hit, weight: hit.negated ? signal.weight : weight))
                            }
                        }
                        fired.insert(index)
                        switch signal.score {
                        case .urgency: urgencyScore += weight
                        case .sentiment: sentimentScore += weight
                        case .intent: intentScores[signal.intent] += Int32(weight)
                        }
                    }
                }
            }
            return intents.map { $0.choose(UnsafeBufferPointer(intentScores)) }
        }

        let urgency = urgencyLevels.level(for: urgencyScore)
        let sentiment = sentimentLevels.level(for: sentimentScore)
        let strength = sentimentLevels.strength(for: sentimentScore)
        facts.urgency = urgency
        facts.sentiment = sentiment
        facts.sentimentStrength = strength
        facts.intent = intent ?? -1
        facts.fired = fired
        let decision = decide(facts)
        let explanation = RuleExplanation(
            rules: self, kept: kept, fieldSignals: fieldSignals, subject: input.subject, text: input.text,
            folded: (subject, text), facts: facts)
        var classification = Classification(
            rulesVersion: version, language: language, customerTier: tier, urgency: urgency, urgencyScore: urgencyScore,
            sentiment: sentiment, sentimentScore: sentimentScore, explanation: explanation,
            route: decision.explained(by: explanation))
        classification.context = input.context
        classification.sentimentStrength = strength
        if let intents, let intent { classification.intent = intents.ids[intent] }
        return classification
    }

    /// Scans one folded field and writes its hits to `signalHits` from `found` on, each tagged with its
    /// signal and judged for negation and intensity. False when the field has more hits than `hits` has
    /// room for.
    private func collectHits(
        _ field: FoldedText, field fieldIndex: Int, scanner: PatternDatabase.Scanner,
        hits: UnsafeMutableBufferPointer<PatternDatabase.Hit>, into signalHits: UnsafeMutableBufferPointer<SignalHit>,
        found: inout Int
    ) -> Bool {
        guard field.count > 0 else { return true }
        var next = found
        let complete = field.withUnsafeBytes { bytes in
            guard let count = scanner.scan(bytes, into: hits) else { return false }
            signalTraits.withUnsafeBufferPointer { traits in
                patternOwners.owners.withUnsafeBufferPointer { owners in
                    patternOwners.starts.withUnsafeBufferPointer { starts in
                        for hit in hits[..<count] {
                            for position in Int(starts[hit.pattern])..<Int(starts[hit.pattern + 1]) {
                                let owner = owners[position]
                                let signal = traits[Int(owner.signal)]
                                guard signal.fieldMask & (1 << fieldIndex) != 0 else { continue }
                                // A regex's start is not tracked, so only keywords can be negated or intensified
                                // by the words before them; a regex that must not fire after a negator says so itself.
                                let (negated, intensified) = hit.startKnown
                                    ? judge(before: hit.start, in: bytes, negatable: signal.negatable, intensifiable: signal.intensifiable)
                                    : (false, false)
                                signalHits[next] = SignalHit(signal: owner.signal, hit: RawHit(
                                    term: owner.term, field: Int8(fieldIndex), start: Int32(hit.start), end: Int32(hit.end),
                                    negated: negated, intensified: intensified, startKnown: hit.startKnown))
                                next += 1
                            }
                        }
                    }
                }
            }
            return true
        }
        found = next
        return complete
    }

    /// A hit that counts toward the explanation, with the weight it carried.
    struct KeptHit {
        var signal: Int
        var hit: RawHit
        var weight: Int
    }

    /// Runs the routes in order: the default route's actions are the base, each route that fires
    /// overrides what it names, and `stop` ends the walk. The decision's reasons are left to
    /// ``RuleExplanation``, which asks ``firedRoutes(_:)`` for the same walk again.
    func decide(_ facts: borrowing MessageFacts) -> RouteDecision {
        // Which route each action comes from. Tracking indexes (from the flat flags: reading a `Route`
        // copied it, strings and all), and building the decision once at the end, retains each string once.
        var queueFrom = defaultRouteIndex, priorityFrom = defaultRouteIndex, slaFrom = defaultRouteIndex
        var replyFrom = defaultRouteIndex
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: routes.count) { fired in
            var count = 0
            return routeActions.withUnsafeBufferPointer { actions in
                forEachFiredRoute(facts) { index in
                    fired[count] = Int32(index)
                    count += 1
                    if actions[index].queue != nil { queueFrom = index }
                    if actions[index].priority != nil { priorityFrom = index }
                    if actions[index].slaPolicy != nil { slaFrom = index }
                    if actions[index].autoReply != nil { replyFrom = index }
                }
                // No route firing reads as the default route alone.
                var ids = singleRouteFired[count == 0 ? defaultRouteIndex : Int(fired[0])]
                if count > 1 {
                    ids = []
                    ids.reserveCapacity(count)
                    for position in 0..<count { ids.append(actions[Int(fired[position])].id) }
                }
                return RouteDecision(
                    routeID: actions[count == 0 ? defaultRouteIndex : Int(fired[count - 1])].id, fired: ids,
                    queue: actions[queueFrom].queue!, priority: actions[priorityFrom].priority!,
                    slaPolicy: actions[slaFrom].slaPolicy!, autoReply: actions[replyFrom].autoReply ?? nil)
            }
        }
    }

    /// The indexes of the routes that fire for `facts`, in order: the walk ``decide(_:)`` made.
    func firedRoutes(_ facts: borrowing MessageFacts) -> [Int] {
        var fired: [Int] = []
        forEachFiredRoute(facts) { fired.append($0) }
        return fired
    }

    /// Calls `body` with each route other than the default whose condition holds, in order, until one
    /// that says `stop`.
    @inline(__always)
    private func forEachFiredRoute(_ facts: borrowing MessageFacts, _ body: (Int) -> Void) {
        for index in routes.indices where index != defaultRouteIndex {
            guard routePredicates[index]?.holds(facts) == true else { continue }
            body(index)
            if routeActions[index].stop { return }
        }
    }

    /// One entry per distinct term and field: the first hit that counts, else the first negated one;
    /// counting hits first, at most ``matchesKeptPerSignal``. Written into `space`, which has room for
    /// every hit and which the caller reuses for every signal.
    static func explanationHits(_ hits: UnsafeBufferPointer<RawHit>, into space: UnsafeMutableBufferPointer<RawHit>) -> UnsafeBufferPointer<RawHit> {
        let chosen = space.baseAddress!
        var count = 0
        var negated = 0
        for hit in hits {
            var index = 0
            while index < count, chosen[index].term != hit.term || chosen[index].field != hit.field { index += 1 }
            if index < count {
                if chosen[index].negated && !hit.negated {
                    chosen[index] = hit
                    negated -= 1
                }
            } else {
                (chosen + count).initialize(to: hit)
                count += 1
                if hit.negated { negated += 1 }
            }
        }
        if negated > 0 && negated < count {
            // Counting hits first, keeping the order within each kind: a stable partition, in place, as
            // the list is a handful of hits.
            var counting = 0
            for index in 0..<count where !chosen[index].negated {
                let hit = chosen[index]
                var position = index
                while position > counting {
                    chosen[position] = chosen[position - 1]
                    position -= 1
                }
                chosen[counting] = hit
                counting += 1
            }
        }
        return UnsafeBufferPointer(start: chosen, count: min(count, matchesKeptPerSignal))
    }

    /// Whether a negator stands within the negation window before byte `position`, and, if not, whether
    /// an intensifier stands within the intensity window; each window stops at a clause boundary, and a
    /// term must lie wholly inside it. One walk back, one character at a time, serves both (terms start
    /// where characters do).
    ///
    /// The intensity window counts characters. The negation window counts **units**: a Chinese (or any
    /// non-ASCII) character is one, an English word (letters, digits and apostrophes) is one however
    /// long, and the spaces between words are none. Four characters reach 不太着急's 不 but not past a
    /// word of English: "I don't want a refund" needs four words.
    @inline(__always)
    func judge(
        before position: Int, in bytes: UnsafeBufferPointer<UInt8>, negatable: Bool, intensifiable: Bool
    ) -> (negated: Bool, intensified: Bool) {
        let negationWindow = negatable && !negators.isEmpty ? negation.window : 0
        let intensityWindow = intensifiable && intensity.boost > 0 && !intensifiers.isEmpty ? intensity.window : 0
        var intensified = false
        var start = position
        var characters = 0
        var units = 0
        var inWord = false
        while start > 0 {
            var previous = start - 1
            while previous > 0, bytes[previous] & 0xC0 == 0x80 { previous -= 1 }
            if Self.isClauseBoundary(bytes, at: previous) { break }
            // A space between two Chinese characters separates clauses as a comma would: people type
            // "进不去了 一直在转圈" without punctuation.
            if bytes[previous] == 0x20, bytes[start] >= 0x80, previous > 0, bytes[previous - 1] >= 0x80 { break }
            start = previous
            characters += 1
            let byte = bytes[start]
            if byte.isASCIIWordCharacter || byte == 0x27 {  // a letter, digit or apostrophe of an English word
                if !inWord { units += 1 }
                inWord = true
            } else {
                if byte != 0x20 { units += 1 }
                inWord = false
            }
            if units > negationWindow && characters > intensityWindow { break }
            guard windowTerms.mayStart(at: start, in: bytes, before: position) else { continue }
            if units <= negationWindow, negators.starts(at: start, in: bytes, before: position),
               !isNegationException(around: start, in: bytes, before: position) {
                return (true, false)
            }
            if !intensified, characters <= intensityWindow {
                intensified = intensifiers.starts(at: start, in: bytes, before: position)
            }
        }
        return (false, intensified)
    }

    /// Whether the negator at `start` is part of a word that negates nothing (是不是, 有没有, "can't
    /// believe"): such a word starts at the negator or at most four characters before it (`can` before
    /// `'t`), and ends by `end`.
    @inline(__always)
    func isNegationException(around start: Int, in bytes: UnsafeBufferPointer<UInt8>, before end: Int) -> Bool {
        guard !negationExceptions.isEmpty else { return false }
        var candidate = start
        for step in 0...4 {
            if step > 0 {
                guard candidate > 0 else { return false }
                candidate -= 1
                while candidate > 0, bytes[candidate] & 0xC0 == 0x80 { candidate -= 1 }
            }
            if negationExceptions.starts(at: candidate, in: bytes, before: end) { return true }
        }
        return false
    }

    /// Punctuation that ends a clause, so a negator in one clause never reaches a cue in the next.
    /// (Full-width forms are already folded to ASCII by the time this runs.)
    @inline(__always)
    static func isClauseBoundary(_ value: UInt32) -> Bool {
        switch value {
        case 0x2C, 0x2E, 0x21, 0x3F, 0x3B, 0x3A, 0x0A, 0x28, 0x29, 0x22,  // , . ! ? ; : newline ( ) "
             0xFF0C, 0x3002, 0xFF01, 0xFF1F, 0xFF1B, 0xFF1A, 0x3001, 0xFF08, 0xFF09, 0x201C, 0x201D:
            return true
        default:
            return false
        }
    }

    /// The ASCII clause boundaries of ``isClauseBoundary(_:)`` as a bitmap (bit `b`), all below 64. A
    /// literal rather than a `static let` computed from the list: the hot path paid for the lazy
    /// initialization check on every read. `NeedleSetTests` checks it against the list.
    private static let asciiClauseBoundaries: UInt64 = 1 << 0x0A | 1 << 0x21 | 1 << 0x22 | 1 << 0x28 | 1 << 0x29
        | 1 << 0x2C | 1 << 0x2E | 1 << 0x3A | 1 << 0x3B | 1 << 0x3F

    /// Whether the character starting at `index` ends a clause. Asked for every character of every
    /// negation window, so the common answers are quick: ASCII by bitmap, and characters whose lead byte
    /// no boundary has (every Chinese ideograph) without decoding.
    @inline(__always)
    static func isClauseBoundary(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let lead = bytes[index]
        if lead < 0x80 { return lead < 64 && asciiClauseBoundaries >> UInt64(lead) & 1 != 0 }
        // The other boundaries are U+201C–U+201D, U+3001–U+3002 and U+FFxx: lead bytes E2, E3 and EF.
        guard lead == 0xE2 || lead == 0xE3 || lead == 0xEF, index + 3 <= bytes.count else { return false }
        let value = UInt32(lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
        return isClauseBoundary(value)
    }

    /// The end of the UTF-8 character that starts at `index`.
    static func endOfCharacter(in bytes: UnsafeBufferPointer<UInt8>, startingAt index: Int) -> Int {
        guard index < bytes.count else { return bytes.count }
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return end
    }
}
