import Foundation
import Rules

/// Reply policy from `Rules/replies.yaml`.
public struct ReplySettings: Sendable, Equatable {
    /// The language used when a script has no variant in the customer's language.
    public var defaultLanguage: String
    public var languages: [String]
    /// Phrases a reply may never contain (vague promises like "as soon as possible"); matched after the
    /// rules' own folding, so case, full-width forms, invisible characters and Traditional spellings
    /// (`儘快` for `尽快`) do not slip past.
    public var forbiddenPhrases: [String] {
        didSet { foldedPhrases = forbiddenPhrases.map(Self.fold) }
    }
    /// The phrases folded once: every reply is checked.
    private var foldedPhrases: [[UInt8]]

    public init(defaultLanguage: String, languages: [String], forbiddenPhrases: [String]) {
        self.defaultLanguage = defaultLanguage
        self.languages = languages
        self.forbiddenPhrases = forbiddenPhrases
        self.foldedPhrases = forbiddenPhrases.map(Self.fold)
    }

    public static let standard = ReplySettings(defaultLanguage: "en", languages: ["en"], forbiddenPhrases: [])

    /// The first forbidden phrase in `text`, if any.
    public func forbiddenPhrase(in text: String) -> String? {
        guard !foldedPhrases.isEmpty else { return nil }
        let folded = Self.fold(text)
        // UTF-8 is self-synchronizing: a byte match of folded text is a match of whole characters.
        return zip(forbiddenPhrases, foldedPhrases).first { _, phrase in Self.contains(folded, phrase) }?.0
    }

    static func contains(_ text: [UInt8], _ phrase: [UInt8]) -> Bool {
        guard !phrase.isEmpty, phrase.count <= text.count else { return false }
        let first = phrase[0]
        var start = 0
        let last = text.count - phrase.count
        while start <= last {
            guard let candidate = text[start...last].firstIndex(of: first) else { return false }
            if text[candidate..<candidate + phrase.count].elementsEqual(phrase) { return true }
            start = candidate + 1
        }
        return false
    }

    /// Folded as rule terms are (``FoldedText``), as UTF-8. Foundation's compatibility mapping, used
    /// before, went through `NSString` and cost more than rendering the reply.
    static func fold(_ text: String) -> [UInt8] {
        FoldedText(text).bytes
    }
}
