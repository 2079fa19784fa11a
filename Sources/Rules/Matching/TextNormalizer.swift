import Foundation

/// Folds text so a rule written once matches the ways customers type it: compatibility forms
/// (full-width `ＶＩＰ` is `vip`), case, invisible format characters (`投\u{200B}诉` is `投诉`),
/// Traditional Chinese (`投訴` is `投诉`) and runs of white space. Rule terms and message fields go
/// through the same function, so they always agree.
public enum TextNormalizer {
    /// Typography the folding hides but the classifier wants: shouting in capitals and runs of `!`.
    /// ``FoldedText`` feeds it as it folds.
    public struct Emphasis: Sendable, Equatable {
        /// Words of three or more capital letters (full-width too) with no lower case or digits.
        public var capitalWords = 0
        /// The longest run of `!` in the folded text (full-width `！` included).
        public var longestExclamationRun = 0
        // Internal, not private: ``FoldedText`` updates them in its tight loops.
        var capitals = 0
        var spoiled = false
        var exclamations = 0

        public init() {}

        /// Feeds one character as the customer wrote it: a word in capitals ends at anything that is
        /// not a letter or digit; lower case or digits spoil it.
        @inline(__always)
        mutating func observe(_ value: UInt32) {
            // Range tests as wrapping subtractions: `switch` over ranges compiled to range checks that
            // showed in profiles of the general path.
            if value &- 0x41 < 26 || value &- 0xFF21 < 26 {
                capitals += 1  // A–Z, Ａ–Ｚ
            } else if value &- 0x61 < 26 || value &- 0x30 < 10 || value &- 0xFF41 < 26 || value &- 0xFF10 < 10 {
                spoiled = true  // a–z, 0–9 and their full-width forms
            } else {
                closeWord()
            }
        }

        /// Feeds one folded character that is kept (invisible ones are not fed).
        @inline(__always)
        mutating func observeFolded(_ isExclamation: Bool) {
            if isExclamation {
                exclamations += 1
                longestExclamationRun = max(longestExclamationRun, exclamations)
            } else {
                exclamations = 0
            }
        }

        /// A character that is neither a letter, a digit nor `!` (a Chinese character, say): ends the
        /// word in capitals and the run of exclamation marks. The same as `observe` then `observeFolded(false)`
        /// for such a character, without the range tests.
        @inline(__always)
        mutating func endWord() {
            closeWord()
            exclamations = 0
        }

        /// Counts the word just ended if it was in capitals, and starts a new one.
        @inline(__always)
        private mutating func closeWord() {
            if capitals >= 3 && !spoiled { capitalWords += 1 }
            capitals = 0
            spoiled = false
        }

        /// Closes the last word.
        mutating func finish() {
            observe(0x20)
        }

        /// Whether the text shouts by these thresholds (0 turns a threshold off).
        public func isShouting(exclamations: Int, capitalWords words: Int) -> Bool {
            (exclamations > 0 && longestExclamationRun >= exclamations) || (words > 0 && capitalWords >= words)
        }
    }

    /// The folded text.
    public static func normalize(_ text: String) -> String {
        FoldedText(text).string
    }

    /// Whether Traditional Chinese is folded (OpenCC's data is installed).
    public static var foldsTraditionalChinese: Bool { FoldTable.shared.foldsTraditional }
}
