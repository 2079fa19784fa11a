import SwitchboardCore

/// How well a rule set reads a labelled corpus: the figures `switchboard rules eval` prints, and every
/// message it got wrong with why.
public struct CorpusEvaluation: Sendable, Codable {
    public var rulesVersion: String
    public var messages: Int
    /// Urgent (high or critical) or not, as labelled.
    public var urgentAccuracy: Double
    /// Negative or not, as labelled.
    public var negativeAccuracy: Double
    public var intentMacroF1: Double
    public var urgency: ConfusionMatrix
    public var sentiment: ConfusionMatrix
    /// Mild or strong, over the messages both labelled and classified negative.
    public var strength: ConfusionMatrix
    public var intent: ConfusionMatrix
    /// The three headline figures per language (`zh-Hans`, `zh-Hant`, `en`, `mixed`).
    public var languages: [LanguageFigures]
    public var variants: VariantCheck
    public var misses: [Miss]

    public struct LanguageFigures: Sendable, Codable {
        public var language: String
        public var messages: Int
        public var urgentAccuracy: Double
        public var negativeAccuracy: Double
        public var intentAccuracy: Double
    }

    /// Whether every spelling variant of every message classified as the message did.
    public struct VariantCheck: Sendable, Codable {
        public var checked: Int
        public var differing: [VariantMiss]
    }

    public struct VariantMiss: Sendable, Codable {
        public var id: String
        public var variant: String
        public var expected: String
        public var actual: String
    }

    /// A message the rules read differently from its label.
    public struct Miss: Sendable, Codable {
        public var id: String
        public var origin: String
        public var language: String
        public var subject: String?
        public var text: String
        /// Each label that differs: `urgency`, `sentiment`, `strength` or `intent`, expected and actual.
        public var wrong: [Difference]
        public var urgencyScore: Int
        public var sentimentScore: Int
        /// `signal: "matched text"` for each term that counted.
        public var fired: [String]
        /// The same for terms a negator cancelled.
        public var negated: [String]
        /// For each wrong label, what did not fire that would have given the expected one.
        public var missing: [String]
    }

    public struct Difference: Sendable, Codable {
        public var label: String
        public var expected: String
        public var actual: String
    }

    /// Whether a level counts as urgent: the SPEC's urgent tiers.
    static func isUrgent(_ urgency: Urgency) -> Bool { urgency >= .high }

    /// Classifies every message of `corpus` with `rules` and scores the result; with `variants`, also
    /// classifies each message's spelling variants and reports any that came out differently.
    public static func run(_ corpus: [LabelledMessage], rules: RuleSet, variants: TextVariants? = nil) -> CorpusEvaluation {
        var urgency = ConfusionMatrix(labels: Urgency.allCases.map(\.rawValue))
        var sentiment = ConfusionMatrix(labels: Sentiment.allCases.map(\.rawValue))
        var strength = ConfusionMatrix(labels: SentimentStrength.allCases.map(\.rawValue))
        var intent = ConfusionMatrix(labels: rules.intents?.ids ?? [])
        var perLanguage: [String: (messages: Int, urgent: Int, negative: Int, intent: Int)] = [:]
        var misses: [Miss] = []
        var variantCheck = VariantCheck(checked: 0, differing: [])

        for message in corpus {
            let result = rules.classify(message.input)
            let actualIntent = result.intent ?? "none"
            urgency.add(expected: message.urgency.rawValue, actual: result.urgency.rawValue)
            sentiment.add(expected: message.sentiment.rawValue, actual: result.sentiment.rawValue)
            intent.add(expected: message.intent, actual: actualIntent)
            if let expected = message.strength, let actual = result.sentimentStrength {
                strength.add(expected: expected.rawValue, actual: actual.rawValue)
            }
            let urgentOK = isUrgent(message.urgency) == isUrgent(result.urgency)
            let negativeOK = (message.sentiment == .negative) == (result.sentiment == .negative)
            let intentOK = message.intent == actualIntent
            var figures = perLanguage[message.language] ?? (0, 0, 0, 0)
            figures.messages += 1
            if urgentOK { figures.urgent += 1 }
            if negativeOK { figures.negative += 1 }
            if intentOK { figures.intent += 1 }
            perLanguage[message.language] = figures

            var wrong: [Difference] = []
            if !urgentOK { wrong.append(Difference(label: "urgency", expected: message.urgency.rawValue, actual: result.urgency.rawValue)) }
            if !negativeOK { wrong.append(Difference(label: "sentiment", expected: message.sentiment.rawValue, actual: result.sentiment.rawValue)) }
            if negativeOK, let expected = message.strength, let actual = result.sentimentStrength, expected != actual {
                wrong.append(Difference(label: "strength", expected: expected.rawValue, actual: actual.rawValue))
            }
            if !intentOK { wrong.append(Difference(label: "intent", expected: message.intent, actual: actualIntent)) }
            if !wrong.isEmpty { misses.append(miss(message, result, wrong: wrong, rules: rules)) }

            if let variants {
                let base = outcome(result)
                // Each subject variant is made once and paired with the text variant of the same kind.
                let subjects = message.input.subject.isEmpty ? nil : variants.variants(of: message.input.subject)
                for (kind, variant) in variants.variants(of: message.input.text).enumerated() {
                    var input = message.input
                    input.text = variant.text
                    input.subject = subjects?[kind].text ?? ""
                    variantCheck.checked += 1
                    let other = outcome(rules.classify(input))
                    if other != base {
                        variantCheck.differing.append(VariantMiss(id: message.id, variant: variant.name, expected: base, actual: other))
                    }
                }
            }
        }

        func share(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }
        let urgentRight = perLanguage.values.reduce(0) { $0 + $1.urgent }
        let negativeRight = perLanguage.values.reduce(0) { $0 + $1.negative }
        return CorpusEvaluation(
            rulesVersion: rules.version, messages: corpus.count, urgentAccuracy: share(urgentRight, corpus.count),
            negativeAccuracy: share(negativeRight, corpus.count), intentMacroF1: intent.macroF1, urgency: urgency,
            sentiment: sentiment, strength: strength, intent: intent,
            languages: perLanguage.keys.sorted().map { language in
                let figures = perLanguage[language]!
                return LanguageFigures(
                    language: language, messages: figures.messages, urgentAccuracy: share(figures.urgent, figures.messages),
                    negativeAccuracy: share(figures.negative, figures.messages), intentAccuracy: share(figures.intent, figures.messages))
            },
            variants: variantCheck, misses: misses)
    }

    /// What a variant must reproduce: every label, the deciding route and the signals that fired.
    private static func outcome(_ result: Classification) -> String {
        [result.urgency.rawValue, result.sentiment.rawValue, result.sentimentStrength?.rawValue ?? "-", result.intent ?? "-",
         result.route.routeID, result.firedSignals.joined(separator: ",")].joined(separator: " ")
    }

    private static func miss(_ message: LabelledMessage, _ result: Classification, wrong: [Difference], rules: RuleSet) -> Miss {
        func describe(_ match: SignalMatch) -> String {
            match.kind == .field ? "\(match.signal): \(match.term)" : "\(match.signal): \"\(match.text ?? match.term)\""
        }
        var missing: [String] = []
        for difference in wrong {
            switch difference.label {
            case "urgency":
                let levels = rules.urgencyLevels
                missing.append(isUrgent(message.urgency)
                    ? "urgency score \(result.urgencyScore) is below high (\(levels.high)): no urgency cue strong enough fired"
                    : "urgency score \(result.urgencyScore) reaches high (\(levels.high)) on the cues above")
            case "sentiment":
                let levels = rules.sentimentLevels
                missing.append(message.sentiment == .negative
                    ? "sentiment score \(result.sentimentScore) is above negative (\(levels.negative)): no negative cue strong enough fired"
                    : "sentiment score \(result.sentimentScore) reaches negative (\(levels.negative)) on the cues above")
            case "strength":
                missing.append("sentiment score \(result.sentimentScore) against strong (\(rules.sentimentLevels.strong ?? rules.sentimentLevels.negative))")
            default:
                let voters = rules.signals.filter { $0.intent == message.intent }.map(\.id)
                missing.append(voters.isEmpty
                    ? "no intent signal counts toward '\(message.intent)'"
                    : "none of \(voters.joined(separator: ", ")) (intent '\(message.intent)') outweighed '\(difference.actual)'")
            }
        }
        return Miss(
            id: message.id, origin: message.origin, language: message.language,
            subject: message.input.subject.isEmpty ? nil : message.input.subject, text: message.input.text, wrong: wrong,
            urgencyScore: result.urgencyScore, sentimentScore: result.sentimentScore,
            fired: result.matches.filter { !$0.negated }.map(describe), negated: result.matches.filter(\.negated).map(describe),
            missing: missing)
    }
}
