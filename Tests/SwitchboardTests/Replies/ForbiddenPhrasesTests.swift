@testable import Replies
import Testing

@Suite("Forbidden phrases: disguises")
struct ForbiddenPhrasesTests {
    let settings = ReplySettings(
        defaultLanguage: "en", languages: ["en", "zh"],
        forbiddenPhrases: ["尽快", "asap", "as soon as possible", "shortly"])

    @Test("separators and lookalike letters between a phrase's characters do not hide it", arguments: [
        ("我们会尽 快处理", "尽快"),
        ("我们会尽-快处理", "尽快"),
        ("我们会尽 · 快处理", "尽快"),
        ("we will fix it a.s.a.p.", "asap"),
        ("we will fix it a s a p", "asap"),
        ("we will fix it a-s-a-p!", "asap"),
        ("we will fix it \u{0430}sap", "asap"),  // Cyrillic а
        ("we will fix it \u{0430}\u{0455}\u{0430}\u{0440}", "asap"),  // а ѕ а р
        ("WE WILL FIX IT Ａ.Ｓ.Ａ.Ｐ", "asap"),
        ("as soon as\npossible", "as soon as possible"),
        ("as-soon-as-possible", "as soon as possible"),
        ("sh\u{043E}rtly", "shortly"),  // Cyrillic о
        ("s h o r t l y", "shortly"),
    ])
    func disguised(text: String, phrase: String) {
        #expect(settings.forbiddenPhrase(in: text) == phrase, "\(text)")
    }

    @Test("ordinary words that merely contain the letters do not fire", arguments: [
        "it was a pity to keep you waiting",
        "here is as a plan for tomorrow",
        "we have a sapling in the garden",
        "the wasp nest was removed",
        "a shortlyst is not a word but shortlist is",
        "我们会在 2026年12月3日 14:00 前回复",
        "我们已尽力。快递明天 10:00 前送到",
        "please see the short lyrics",
    ])
    func ordinary(text: String) {
        #expect(settings.forbiddenPhrase(in: text) == nil, "\(text)")
    }

    @Test("too many separators between two characters are not a disguise, just distance")
    func gap() {
        #expect(settings.forbiddenPhrase(in: "尽-·-快") == "尽快")
        #expect(settings.forbiddenPhrase(in: "尽-·-·快") == nil)
    }

    @Test("the shortcuts for ASCII and CJK ideographs answer as the Unicode properties do")
    func shortcutsMatchProperties() {
        var mismatches: [String] = []
        for value in Array(UInt32(0)...0x7F) + Array(UInt32(0x4E00)...0x9FFF) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let separator = switch scalar.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control, .format,
                 .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
                 .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
                true
            default:
                false
            }
            let word = value < 0x2E80 && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil)
            if ForbiddenPhrases.isSeparator(scalar) != separator || ForbiddenPhrases.isWordCharacter(scalar) != word {
                mismatches.append("U+" + String(value, radix: 16, uppercase: true))
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
    }
}
