/// Words that, just before a cue in the same clause, cancel it (`不急`, `not urgent`).
public struct Negation: Sendable, Equatable {
    /// How many characters before a hit are searched.
    public var window: Int
    /// Normalized negator terms.
    public let terms: [String]

    public static let none = Negation(window: 0, terms: [])
}
