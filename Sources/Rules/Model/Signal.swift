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
    /// `urgency` or `sentiment`.
    public let classifier: String
    public let weight: Int
    public let terms: [Term]
    /// Which normalized fields are scanned (`subject`, `text`).
    public let fields: Set<String>
    public let negatable: Bool
    /// Whether intensifiers may raise the weight.
    public let intensifiable: Bool
    /// A field condition; alone it makes a field signal, with terms both must hold.
    public let condition: Condition?
    /// Which fields are scanned, as flags for the hot path: bit 0 subject, bit 1 text.
    let fieldMask: UInt8

    init(
        id: String, description: String?, classifier: String, weight: Int, terms: [Term], fields: Set<String>,
        negatable: Bool, intensifiable: Bool, condition: Condition?
    ) {
        self.id = id
        self.description = description
        self.classifier = classifier
        self.weight = weight
        self.terms = terms
        self.fields = fields
        self.negatable = negatable
        self.intensifiable = intensifiable
        self.condition = condition
        self.fieldMask = (fields.contains("subject") ? 1 : 0) | (fields.contains("text") ? 2 : 0)
    }
}

/// Score thresholds for urgency levels: the minimum score of each level; below `normal` is `low`.
public struct UrgencyLevels: Sendable, Equatable {
    public var critical: Int
    public var high: Int
    public var normal: Int

    public func level(for score: Int) -> Urgency {
        if score >= critical { return .critical }
        if score >= high { return .high }
        if score >= normal { return .normal }
        return .low
    }
}

/// Score thresholds for sentiment: at most `negative` is negative, at least `positive` is positive.
public struct SentimentLevels: Sendable, Equatable {
    public var negative: Int
    public var positive: Int

    public func level(for score: Int) -> Sentiment {
        if score <= negative { return .negative }
        if score >= positive { return .positive }
        return .neutral
    }
}

/// Words that, just before a cue in the same clause, cancel it (`不急`, `not urgent`).
public struct Negation: Sendable, Equatable {
    /// How many characters before a hit are searched.
    public var window: Int
    /// Normalized negator terms.
    public let terms: [String]

    public static let none = Negation(window: 0, terms: [])
}

/// Words and typography that make a cue stronger (`非常`, `very`, `!!!`, ALL CAPS).
public struct Intensity: Sendable, Equatable {
    /// Characters before a hit searched for an intensifier, within the same clause.
    public var window: Int
    /// Normalized intensifier terms.
    public let terms: [String]
    /// Added to the magnitude of an intensified signal's weight.
    public var boost: Int
    /// A run of this many `!` (after folding, so `！` counts) makes the whole message intense; 0 turns it off.
    public var exclamations: Int
    /// This many words of three or more capital letters make the whole message intense; 0 turns it off.
    public var capsWords: Int

    public static let none = Intensity(window: 0, terms: [], boost: 0, exclamations: 0, capsWords: 0)
}
