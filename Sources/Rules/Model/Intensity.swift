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
