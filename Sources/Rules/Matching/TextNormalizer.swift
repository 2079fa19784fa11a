import Foundation

/// Folds text so a rule written once matches the ways customers type it: compatibility forms
/// (full-width `ＶＩＰ` is `vip`), case, invisible format characters (`投\u{200B}诉` is `投诉`) and runs of
/// white space. Rule terms and message fields go through the same function.
public enum TextNormalizer {
    public static func normalize(_ text: String) -> String {
        let folded = text.precomposedStringWithCompatibilityMapping.lowercased()
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            if isInvisible(scalar) { continue }
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            out.append(scalar)
        }
        return String(out)
    }

    /// Format characters (zero-width spaces and joiners, BOM, bidi marks) and other characters that
    /// render as nothing; customers paste them in by accident, spammers on purpose.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .format, .control:
            // Tabs and line breaks are controls too, but they separate words.
            return !scalar.properties.isWhitespace
        default:
            return scalar.value == 0x3164 || scalar.value == 0x115F || scalar.value == 0x1160 || scalar.value == 0xFFA0
        }
    }

    /// `zh` when the text holds CJK ideographs, else `en`: the languages the shipped scripts cover.
    public static func detectLanguage(_ text: String) -> String {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF, 0x20000...0x2A6DF:
                return "zh"
            default:
                continue
            }
        }
        return "en"
    }
}
