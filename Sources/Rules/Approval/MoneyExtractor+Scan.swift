import Foundation

extension MoneyExtractor {
    /// One pass over a text's scalars, cutting it into numbers, marks and the rest.
    struct Scan {
        enum Kind {
            /// The value in millionths.
            case number(UInt128)
            /// An index into ``MoneyExtractor/entries``.
            case mark(Int)
            case space
            /// `多` or `余` between a number and its mark: `600多元` is at least 600.
            case approximately
            /// `-`, `~`, `至`, `到` between the two ends of a range.
            case rangeConnector
            /// Anything else; keeps its last scalar so a number written straight after letters is seen.
            case other(last: Unicode.Scalar)
        }

        struct Token {
            var kind: Kind
            /// Scalar offsets.
            var start: Int
            var end: Int
        }

        let scalars: [Unicode.Scalar]
        let indices: [String.Index]
        // The extractor's tables, held one by one: reading them through the whole extractor would
        // copy it (and retain each of its fields) at every character in a debug build.
        let entries: [MarkEntry]
        let marks: [Unicode.Scalar: [Int]]
        let startsMark: [Bool]

        init(text: String, extractor: MoneyExtractor) {
            self.scalars = Array(text.unicodeScalars)
            var indices = Array(text.unicodeScalars.indices)
            indices.append(text.endIndex)
            self.indices = indices
            self.entries = extractor.entries
            self.marks = extractor.marks
            self.startsMark = extractor.startsMark
        }

        /// The string index of scalar offset `offset`.
        func index(_ offset: Int) -> String.Index { indices[offset] }

        func tokens() -> [Token] {
            var tokens: [Token] = []
            var at = 0
            while at < scalars.count {
                let start = at
                let scalar = scalars[at]
                if let index = mark(at: at) {
                    let entry = entries[index]
                    at += entry.scalars.count
                    tokens.append(Token(kind: entry.excluded ? .other(last: scalars[at - 1]) : .mark(index), start: start, end: at))
                } else if Numerals.digit(scalar) != nil || Numerals.chineseDigit(scalar) != nil || Numerals.unit(scalar) != nil {
                    let (value, end) = Numerals.parse(scalars, from: at)
                    at = end
                    tokens.append(Token(kind: .number(value), start: start, end: at))
                } else if Self.isSpace(scalar) {
                    while at < scalars.count, Self.isSpace(scalars[at]) { at += 1 }
                    tokens.append(Token(kind: .space, start: start, end: at))
                } else if scalar == "多" || scalar == "余" {
                    at += 1
                    tokens.append(Token(kind: .approximately, start: start, end: at))
                } else if Self.isRangeConnector(scalar) {
                    at += 1
                    tokens.append(Token(kind: .rangeConnector, start: start, end: at))
                } else {
                    at += 1
                    // Runs of ordinary text become one token, so a long text without money stays cheap.
                    if let last = tokens.last, case .other = last.kind, last.end == start {
                        tokens[tokens.count - 1] = Token(kind: .other(last: scalar), start: last.start, end: at)
                    } else {
                        tokens.append(Token(kind: .other(last: scalar), start: start, end: at))
                    }
                }
            }
            return tokens
        }

        /// The longest mark or excluded word at `at`. A mark that begins or ends with an ASCII letter must
        /// not be part of a longer word: `RMB` counts in `RMB600` but not in `XRMBY`.
        private func mark(at: Int) -> Int? {
            let scalar = scalars[at]
            if scalar.value < 0x10000, !startsMark[Int(scalar.value)] { return nil }
            guard let candidates = marks[scalar] else { return nil }
            for index in candidates {
                let entry = entries[index]
                let end = at + entry.scalars.count
                guard end <= scalars.count else { continue }
                var matches = true
                for offset in 1..<entry.scalars.count where scalars[at + offset] != entry.scalars[offset] {
                    matches = false
                    break
                }
                guard matches else { continue }
                if !entry.excluded {
                    if Self.isLetter(entry.scalars[0]), at > 0, Self.isLetter(scalars[at - 1]) { continue }
                    if Self.isLetter(entry.scalars[entry.scalars.count - 1]), end < scalars.count, Self.isLetter(scalars[end]) { continue }
                }
                return index
            }
            return nil
        }

        private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x41...0x5A, 0x61...0x7A: true
            default: false
            }
        }

        /// Spaces that may stand between a number and its mark (not line breaks).
        static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x20, 0x09, 0xA0, 0x2009, 0x202F, 0x3000: true
            default: false
            }
        }

        static func isRangeConnector(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar {
            case "-", "\u{2013}", "\u{2014}", "~", "～", "〜", "至", "到": true
            default: false
            }
        }
    }
}
