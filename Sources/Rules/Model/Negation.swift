/// Words that, just before a cue in the same clause, cancel it (`不急`, `not urgent`).
public struct Negation: Sendable, Equatable {
    /// How many characters before a hit are searched.
    public var window: Int
    /// Normalized negator terms.
    public let terms: [String]
    /// Normalized words that hold a negator but negate nothing (是不是, 有没有, 能不能): a negator inside one
    /// of them does not cancel the cue after it.
    public let exceptions: [String]

    public init(window: Int, terms: [String], exceptions: [String] = []) {
        self.window = window
        self.terms = terms
        self.exceptions = exceptions
    }

    public static let none = Negation(window: 0, terms: [])
}
