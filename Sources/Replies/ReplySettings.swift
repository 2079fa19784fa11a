import Foundation
import Rules

/// Reply policy from `Rules/replies.yaml`.
public struct ReplySettings: Sendable, Equatable {
    /// The language used when a script has no variant in the customer's language.
    public var defaultLanguage: String
    public var languages: [String]
    /// Phrases a reply may never contain (vague promises like "as soon as possible"); matched after the
    /// rules' own folding, so case, full-width forms, invisible characters and Traditional spellings
    /// (`儘快` for `尽快`) do not slip past, and neither do separators slipped between the characters
    /// (`尽 快`, `a.s.a.p`) or lookalike letters (a Cyrillic `а`); see ``ForbiddenPhrases``.
    public var forbiddenPhrases: [String] {
        didSet { matcher = ForbiddenPhrases(forbiddenPhrases) }
    }
    /// The phrases prepared once: every reply is checked.
    private var matcher: ForbiddenPhrases

    public init(defaultLanguage: String, languages: [String], forbiddenPhrases: [String]) {
        self.defaultLanguage = defaultLanguage
        self.languages = languages
        self.forbiddenPhrases = forbiddenPhrases
        self.matcher = ForbiddenPhrases(forbiddenPhrases)
    }

    public static let standard = ReplySettings(defaultLanguage: "en", languages: ["en"], forbiddenPhrases: [])

    /// The first forbidden phrase in `text`, if any, as `replies.yaml` spells it.
    public func forbiddenPhrase(in text: String) -> String? {
        matcher.first(in: text)
    }
}
