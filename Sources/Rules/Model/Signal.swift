import SwitchboardCore

/// A weighted cue that moves an urgency or sentiment score when it fires. A class, so the hot path
/// reads it without copying its term list.
public final class Signal: Sendable {
    /// A term or pattern of the signal, with where it was written.
    public struct Term: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case keyword, regex }
        public var kind: Kind
        /// As written in the rules (keywords are stored normalized).
        public var text: String
        /// `file:line:column` of the term, for explanations and lint messages.
        public var origin: String
    }

    public let id: String
    public let description: String?
    /// `urgency`, `sentiment` or `intent`.
    public let classifier: String
    /// For an intent signal, the intent its weight counts toward.
    public let intent: String?
    public let weight: Int
    public let terms: [Term]
    /// Which normalized fields are scanned (`subject`, `text`).
    public let fields: Set<String>
    public let negatable: Bool
    /// Whether intensifiers may raise the weight.
    public let intensifiable: Bool
    /// A field condition; alone it makes a field signal, with terms both must hold.
    public let condition: Condition?

    init(
        id: String, description: String?, classifier: String, weight: Int, terms: [Term], fields: Set<String>,
        negatable: Bool, intensifiable: Bool, condition: Condition?, intent: String? = nil
    ) {
        self.id = id
        self.description = description
        self.classifier = classifier
        self.intent = intent
        self.weight = weight
        self.terms = terms
        self.fields = fields
        self.negatable = negatable
        self.intensifiable = intensifiable
        self.condition = condition
    }
}

/// A signal's flags and weight as plain values, for classifying (see ``RuleSet/signalTraits``).
struct SignalTraits {
    var weight: Int
    /// Which fields are scanned: bit 0 subject, bit 1 text.
    var fieldMask: UInt8
    var negatable: Bool
    var intensifiable: Bool
    /// Which score the weight adds to.
    var score: Score
    /// For an intent signal, the index of its intent in ``IntentSet/ids``.
    var intent: Int
    var hasTerms: Bool

    enum Score: UInt8 {
        case urgency, sentiment, intent
    }

    init(_ signal: Signal, intents: IntentSet?) {
        weight = signal.weight
        fieldMask = (signal.fields.contains("subject") ? 1 : 0) | (signal.fields.contains("text") ? 2 : 0)
        negatable = signal.negatable
        intensifiable = signal.intensifiable
        switch signal.classifier {
        case "urgency": score = .urgency
        case "sentiment": score = .sentiment
        default: score = .intent
        }
        intent = signal.intent.flatMap { intents?.ids.firstIndex(of: $0) } ?? 0
        hasTerms = !signal.terms.isEmpty
    }
}
