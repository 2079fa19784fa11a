import SwitchboardCore

extension ScriptLibrary {
    /// One script as an agent's reply form needs it: the languages and channels it has text for, and the
    /// variables its templates read.
    public struct ScriptSummary: Sendable, Equatable {
        /// A variable a template reads.
        public struct Variable: Sendable, Equatable {
            public var name: String
            /// Read by every template of the script, so no conversation can do without it; otherwise
            /// only the templates in `usedBy` read it.
            public var required: Bool
            /// The templates that read it, as `language` or `language.channel`.
            public var usedBy: [String]
        }

        public var id: String
        public var languages: [String]
        /// The channels with a template of their own; every other channel takes the language's plain one.
        public var channels: [String]
        public var variables: [Variable]
    }

    /// Every script, by id, with what ``ScriptSummary`` says of it.
    public var catalogue: [ScriptSummary] {
        variants.keys.sorted().map { id in
            let list = variants[id] ?? []
            let names = Set(list.flatMap(\.variables)).sorted()
            let variables = names.map { name in
                let users = list.filter { $0.variables.contains(name) }
                return ScriptSummary.Variable(
                    name: name, required: users.count == list.count,
                    usedBy: users.map { $0.language + ($0.channel.map { "." + $0 } ?? "") })
            }
            return ScriptSummary(
                id: id, languages: Array(Set(list.map(\.language))).sorted(), channels: Array(Set(list.compactMap(\.channel))).sorted(),
                variables: variables)
        }
    }
}
