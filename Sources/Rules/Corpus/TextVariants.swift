import COpenCC

/// The spellings of one message that must classify the same as it does: Traditional characters, full-width
/// forms, typographic apostrophes, invisible characters between every character, and all of these at once.
public final class TextVariants {
    private let handle: opencc_t?

    /// Opens OpenCC's Simplified-to-Traditional conversion; without it (OpenCC data missing) the
    /// Traditional variant is the text unchanged.
    public init() {
        let opened = opencc_open("s2t.json")
        handle = sb_opencc_is_valid(opened) != 0 ? opened : nil
    }

    deinit {
        if let handle { opencc_close(handle) }
    }

    /// Every variant, named.
    public func variants(of text: String) -> [(name: String, text: String)] {
        let traditional = traditional(text)
        return [
            ("traditional", traditional),
            ("full-width", Self.fullWidth(text)),
            ("typographic", Self.typographic(text)),
            ("invisible", Self.invisible(text)),
            ("all at once", Self.invisible(Self.fullWidth(Self.typographic(traditional)))),
        ]
    }

    /// `text` in Traditional characters (OpenCC `s2t`).
    public func traditional(_ text: String) -> String {
        guard let handle, !text.isEmpty else { return text }
        guard let converted = opencc_convert_utf8(handle, text, text.utf8.count) else { return text }
        defer { opencc_convert_utf8_free(converted) }
        return String(cString: converted)
    }

    /// ASCII printable characters as their full-width forms, spaces as ideographic spaces.
    public static func fullWidth(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            (0x21...0x7E).contains(scalar.value) ? Unicode.Scalar(scalar.value + 0xFEE0)! : scalar == " " ? "\u{3000}" : scalar
        }))
    }

    /// Straight apostrophes as the typographic ones phones type (`can't` → `can’t`).
    public static func typographic(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "'" ? "\u{2019}" : $0 }))
    }

    /// A zero-width character after every character, cycling through the kinds customers' software inserts.
    public static func invisible(_ text: String) -> String {
        var out = ""
        for (index, character) in text.enumerated() {
            out.append(character)
            out += ["\u{200B}", "\u{200D}", "\u{FEFF}", "\u{2060}"][index % 4]
        }
        return out
    }
}
