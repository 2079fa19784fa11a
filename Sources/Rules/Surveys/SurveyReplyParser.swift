import SwitchboardCore

/// Reads a survey score from a customer's text reply (an SMS): the whole message must be one number in
/// the survey's scale, so that an ordinary message that happens to hold a digit is never taken for an
/// answer.
///
/// Accepted: ASCII digits (`5`, `10`), full-width digits (`５`, `１０`) and Chinese numerals (`五`, `伍`,
/// `两`, `十`, `零`, `〇`), with whitespace around, an optional `分` after it ("5分", "五分") and optional
/// trailing punctuation (`。`, `！`, `!`, `.`). Anything else is not an answer: `5 stars but late`,
/// `4-5`, `订单5`, `5.5`, `-3`, a number outside the scale (`15`, `0` for CSAT).
///
/// Invisible characters (zero-width space, joiners, word joiner, byte order mark, soft hyphen) are
/// read as whitespace: phones and copy-paste add them at the ends of a message, and "5" with one is
/// still "5". Between two digits they separate the digits, so `1\u{200B}0` is two numbers, not 10.
public enum SurveyReplyParser {
    /// Longer messages are never answers; the bound keeps the read short whatever arrives.
    public static let maximumLength = 64

    /// The score `text` gives for a survey of `kind`, or nil when the text is anything but exactly one
    /// number in the kind's scale. Reads each scalar at most once.
    public static func score(in text: String, kind: SurveyKind) -> Int? {
        guard text.utf8.count <= maximumLength else { return nil }
        let scalars = Array(text.unicodeScalars)
        var start = 0
        var end = scalars.count
        while start < end, isBlank(scalars[start]) { start += 1 }
        while end > start, isBlank(scalars[end - 1]) { end -= 1 }
        // Trailing punctuation, then an optional 分, each possibly after whitespace.
        while end > start, isClosingPunctuation(scalars[end - 1]) {
            end -= 1
            while end > start, isBlank(scalars[end - 1]) { end -= 1 }
        }
        if end > start, scalars[end - 1] == "分" {
            end -= 1
            while end > start, isBlank(scalars[end - 1]) { end -= 1 }
        }
        guard end > start, let value = number(scalars[start..<end]), kind.scale.contains(value) else { return nil }
        return value
    }

    /// The value of a number that fills `scalars` entirely: one or two Arabic digits (ASCII or
    /// full-width), or a Chinese numeral up to 十 (`五`, `十`, `一十`).
    private static func number(_ scalars: ArraySlice<Unicode.Scalar>) -> Int? {
        guard scalars.count <= 2, let first = scalars.first else { return nil }
        if Numerals.digit(first) != nil {
            var value = 0
            for scalar in scalars {
                guard let digit = Numerals.digit(scalar) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        let isTen = { (scalar: Unicode.Scalar) in Numerals.unit(scalar) == 1 }
        switch scalars.count {
        case 1:
            if isTen(first) { return 10 }
            return Numerals.chineseDigit(first)
        default:
            // `一十` and `壹拾` are ten written in full; `十五` and the like are beyond every scale but
            // are still one number, read so that the scale check refuses them.
            let second = scalars[scalars.index(after: scalars.startIndex)]
            if let digit = Numerals.chineseDigit(first), digit > 0, isTen(second) { return digit * 10 }
            if isTen(first), let digit = Numerals.chineseDigit(second), digit > 0 { return 10 + digit }
            return nil
        }
    }

    /// Whitespace, and the invisible format characters treated as whitespace (see the type's notes).
    static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD: true
        default: scalar.properties.isWhitespace
        }
    }

    static func isClosingPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "。", "！", "!", ".", "．": true
        default: false
        }
    }
}
