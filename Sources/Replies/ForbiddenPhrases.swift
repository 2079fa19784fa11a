import Rules

/// The forbidden phrases of `replies.yaml`, matched the way a hurried or a sly writer would disguise
/// them: `尽 快`, `尽-快`, `a.s.a.p`, `a s a p` and a Cyrillic `аsap` all count as the phrase.
///
/// Both phrase and text are folded as rule terms are (``FoldedText``: case, full-width forms,
/// Traditional Chinese, invisible characters), then common confusables (Cyrillic and Greek letters that
/// look Latin) are mapped to the letter they imitate. Up to ``maximumGap`` separators (spaces,
/// punctuation, symbols) may stand between two characters of a phrase. A phrase that begins or ends
/// with a Latin letter or digit must begin or end a word in the text, so `asap` does not fire on
/// "was a pity" or "as a plan", and `shortly` not on "shortlyst".
struct ForbiddenPhrases: Sendable, Equatable {
    /// Most separator characters allowed between two characters of a phrase.
    static let maximumGap = 3

    struct Phrase: Sendable, Equatable {
        var text: String
        var units: [Unicode.Scalar]
        /// The characters of `units`.
        var characters: CharacterFilter
    }

    let phrases: [Phrase]

    init(_ phrases: [String]) {
        self.phrases = phrases.map { phrase in
            let units = Self.units(of: phrase).map(\.scalar)
            return Phrase(text: phrase, units: units, characters: CharacterFilter(units))
        }.filter { !$0.units.isEmpty }
    }

    /// The first phrase found in `text`, as ops wrote it.
    func first(in text: String) -> String? {
        guard !phrases.isEmpty else { return nil }
        let folded = Self.scalars(FoldedText(text).string)
        let units = Self.units(of: folded)
        // Every reply is checked against every phrase; most phrases hold a character the reply lacks (a
        // Chinese phrase in an English reply) and are ruled out without a scan.
        let characters = CharacterFilter(units.lazy.map(\.scalar))
        return phrases.first { characters.mayHold($0.characters) && Self.occurs($0.units, in: units, folded: folded) }?.text
    }

    /// Which characters a text may hold, as a 256-bit Bloom filter: when a phrase's filter has a bit the
    /// text's lacks, the text lacks one of the phrase's characters, and the phrase cannot occur in it.
    struct CharacterFilter: Sendable, Equatable {
        private var bits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        init(_ scalars: some Sequence<Unicode.Scalar>) {
            for scalar in scalars {
                let bit = Int((scalar.value &* 0x9E37_79B1) >> 24)
                let mask = UInt64(1) << (bit & 63)
                switch bit >> 6 {
                case 0: bits.0 |= mask
                case 1: bits.1 |= mask
                case 2: bits.2 |= mask
                default: bits.3 |= mask
                }
            }
        }

        /// False when some character of `other` is certainly not among these.
        func mayHold(_ other: CharacterFilter) -> Bool {
            bits.0 & other.bits.0 == other.bits.0 && bits.1 & other.bits.1 == other.bits.1
                && bits.2 & other.bits.2 == other.bits.2 && bits.3 & other.bits.3 == other.bits.3
        }

        static func == (lhs: CharacterFilter, rhs: CharacterFilter) -> Bool {
            lhs.bits == rhs.bits
        }
    }

    /// A character of folded text that counts, with where it stood.
    struct Unit {
        var scalar: Unicode.Scalar
        var index: Int
    }

    static func units(of text: String) -> [Unit] {
        units(of: scalars(FoldedText(text).string))
    }

    /// The text's scalars, decoded once: `Array(text.unicodeScalars)` decodes twice, once to count them.
    static func scalars(_ text: String) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { scalars.append(scalar) }
        return scalars
    }

    static func units(of folded: [Unicode.Scalar]) -> [Unit] {
        var units: [Unit] = []
        units.reserveCapacity(folded.count)
        for (index, scalar) in folded.enumerated() where !isSeparator(scalar) {
            units.append(Unit(scalar: confusable(scalar), index: index))
        }
        return units
    }

    static func occurs(_ phrase: [Unicode.Scalar], in units: [Unit], folded: [Unicode.Scalar]) -> Bool {
        guard let first = phrase.first, phrase.count <= units.count else { return false }
        let needsWordStart = isWordCharacter(first)
        let needsWordEnd = isWordCharacter(phrase[phrase.count - 1])
        var start = 0
        while start + phrase.count <= units.count {
            defer { start += 1 }
            guard units[start].scalar == first else { continue }
            if needsWordStart, units[start].index > 0, isWordCharacter(folded[units[start].index - 1]) { continue }
            var matched = true
            for offset in 1..<phrase.count {
                let unit = units[start + offset]
                if unit.scalar != phrase[offset] || unit.index - units[start + offset - 1].index - 1 > maximumGap {
                    matched = false
                    break
                }
            }
            guard matched else { continue }
            let after = units[start + phrase.count - 1].index + 1
            if needsWordEnd, after < folded.count, isWordCharacter(folded[after]) { continue }
            return true
        }
        return false
    }

    /// Spaces, punctuation, symbols and controls: what may be slipped between a phrase's characters.
    ///
    /// Every reply is checked, character by character, and the Unicode property lookup is the costly part
    /// of that; so the two ranges nearly all replies are written in are answered without it: in ASCII
    /// everything but letters and digits is a control, a space, punctuation or a symbol, and a CJK unified
    /// ideograph is a letter (or, not yet assigned, none of these).
    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return !isASCIILetterOrDigit(scalar) }
        if (0x4E00...0x9FFF).contains(scalar.value) { return false }
        return switch scalar.properties.generalCategory {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control, .format,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            true
        default:
            false
        }
    }

    /// A letter or digit of a script written with spaces between words (not CJK), after confusables.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        // In ASCII the alphabetic characters are the letters and the numeric ones the digits.
        if scalar.isASCII { return isASCIILetterOrDigit(scalar) }
        return scalar.value < 0x2E80 && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil)
    }

    static func isASCIILetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }

    /// The Latin letter a Cyrillic or Greek lookalike imitates (already lower case, as folded), or the
    /// character itself.
    static func confusable(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x0430, 0x03B1, 0x0251: "a"  // а α ɑ
        case 0x0432, 0x03B2: "b"  // в β
        case 0x0441, 0x03F2: "c"  // с ϲ
        case 0x0501: "d"  // ԁ
        case 0x0435, 0x0450, 0x0451, 0x03B5: "e"  // е ѐ ё ε
        case 0x0261: "g"  // ɡ
        case 0x043D, 0x04BB: "h"  // н һ
        case 0x0456, 0x0457, 0x03B9, 0x0131: "i"  // і ї ι ı
        case 0x0458: "j"  // ј
        case 0x043A, 0x03BA: "k"  // к κ
        case 0x04CF: "l"  // ӏ
        case 0x043C, 0x03BC: "m"  // м μ
        case 0x03B7: "n"  // η
        case 0x043E, 0x03BF: "o"  // о ο
        case 0x0440, 0x03C1: "p"  // р ρ
        case 0x051B: "q"  // ԛ
        case 0x0455: "s"  // ѕ
        case 0x0442, 0x03C4: "t"  // т τ
        case 0x03C5: "u"  // υ
        case 0x03BD: "v"  // ν
        case 0x051D: "w"  // ԝ
        case 0x0445, 0x03C7: "x"  // х χ
        case 0x0443, 0x04AF: "y"  // у ү
        case 0x03B6: "z"  // ζ
        default: scalar
        }
    }
}
