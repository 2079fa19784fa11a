/// A queue agents work from.
public struct Queue: Sendable, Equatable {
    public var id: String
    /// Display names by language.
    public var names: [String: String]
    /// The team customers are told will contact them, by language.
    public var teams: [String: String]

    public func name(in language: String) -> String { names[language] ?? names["en"] ?? names.values.sorted().first ?? id }
    public func team(in language: String) -> String { teams[language] ?? teams["en"] ?? teams.values.sorted().first ?? name(in: language) }
}
