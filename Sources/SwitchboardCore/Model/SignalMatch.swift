/// One signal that fired (or was suppressed) on a message, kept so a decision can be explained.
public struct SignalMatch: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case keyword
        case regex
        case field
    }

    /// `urgency` or `sentiment`.
    public var classifier: String
    public var signal: String
    public var kind: Kind
    /// The term or pattern that matched, as written in the rules; for field signals, the condition.
    public var term: String
    /// Which field it matched in (`subject`, `text`), nil for field signals.
    public var field: String?
    /// UTF-8 byte offsets of the match in the field as the customer wrote it. Regex matches report
    /// only their end (the matcher does not track where a regex match starts).
    public var start: Int?
    public var end: Int?
    /// The matched text as the customer wrote it (before folding).
    public var text: String?
    /// The weight this match carried (the signal's weight, raised when intensified).
    public var weight: Int
    /// A negator stood right before the match, so it did not count.
    public var negated: Bool
    /// An intensifier before the cue, or a shouting message, raised the weight.
    public var intensified: Bool?

    public init(
        classifier: String,
        signal: String,
        kind: Kind,
        term: String,
        field: String?,
        start: Int?,
        end: Int?,
        text: String? = nil,
        weight: Int,
        negated: Bool,
        intensified: Bool? = nil
    ) {
        self.classifier = classifier
        self.signal = signal
        self.kind = kind
        self.term = term
        self.field = field
        self.start = start
        self.end = end
        self.text = text
        self.weight = weight
        self.negated = negated
        self.intensified = intensified
    }
}
