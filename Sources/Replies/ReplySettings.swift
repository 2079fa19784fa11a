/// Reply policy from `Rules/replies.yaml`.
public struct ReplySettings: Sendable, Equatable {
    /// The language used when a script has no variant in the customer's language.
    public var defaultLanguage: String
    public var languages: [String]
    /// Phrases a reply may never contain (vague promises like "as soon as possible"); matched ignoring case.
    public var forbiddenPhrases: [String]

    public init(defaultLanguage: String, languages: [String], forbiddenPhrases: [String]) {
        self.defaultLanguage = defaultLanguage
        self.languages = languages
        self.forbiddenPhrases = forbiddenPhrases
    }

    public static let standard = ReplySettings(defaultLanguage: "en", languages: ["en"], forbiddenPhrases: [])

    /// The first forbidden phrase in `text`, if any.
    public func forbiddenPhrase(in text: String) -> String? {
        let folded = text.precomposedStringWithCompatibilityMapping.lowercased()
        return forbiddenPhrases.first { folded.contains($0.precomposedStringWithCompatibilityMapping.lowercased()) }
    }
}

import Foundation
