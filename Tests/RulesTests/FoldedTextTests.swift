import Rules
import TestSupport
import Testing

/// The fold has fast loops for runs of ASCII words and of Chinese characters and a general path for
/// everything else; texts built from pieces with known folds check that every mix of them gives the
/// same bytes and maps each piece back to where it started.
@Suite("Folded text")
struct FoldedTextTests {
    /// A piece of customer text, what it folds to, and whether it is white space.
    static let pieces: [(original: String, folded: String, space: Bool)] = [
        ("hello", "hello", false), ("Order", "order", false), ("ABC", "abc", false), ("x1", "x1", false), ("42", "42", false),
        ("ＶＩＰ１２３", "vip123", false), ("投訴", "投诉", false), ("态度太差", "态度太差", false), ("態度", "态度", false),
        ("，", ",", false), ("！", "!", false), ("。", "。", false), ("ｶ", "カ", false), ("😀", "😀", false), ("(株)", "(株)", false),
        ("\u{200B}", "", false), ("\u{FEFF}", "", false), ("-", "-", false), ("é", "é", false), ("Straße", "straße", false),
        (" ", " ", true), ("\t", " ", true), ("  ", " ", true), ("\n", " ", true), ("\u{3000}", " ", true),
    ]

    @Test("random mixes of pieces fold to the pieces' folds, with white space collapsed and mapped back")
    func randomMixes() {
        var random = FuzzRandom(state: 7)
        for _ in 0..<3000 {
            let chosen = (0..<Int.random(in: 0...40, using: &random)).map { _ in Self.pieces.randomElement(using: &random)! }
            var text = ""
            var expected = ""
            var checks: [(folded: Int, original: Int)] = []
            var pendingSpace: Int?
            for piece in chosen {
                let start = text.utf8.count
                text += piece.original
                if piece.space {
                    if !expected.isEmpty, pendingSpace == nil { pendingSpace = start }
                    continue
                }
                if piece.folded.isEmpty { continue }
                if let space = pendingSpace {
                    checks.append((expected.utf8.count, space))
                    expected += " "
                    pendingSpace = nil
                }
                checks.append((expected.utf8.count, start))
                expected += piece.folded
            }
            let folded = FoldedText(text)
            #expect(folded.string == expected, "\(text.debugDescription)")
            for check in checks {
                #expect(folded.originalOffset(of: check.folded) == check.original, "\(text.debugDescription) at \(check.folded)")
            }
            #expect(folded.originalOffset(of: folded.bytes.count) == text.utf8.count)
        }
    }

    @Test("capital words are counted across the fast and general paths")
    func emphasis() {
        for (text, words) in [
            ("THIS IS BAD", 2), ("WHY is THIS SO SLOW", 3), ("WHERE IS my ORDER", 2), ("ＶＩＰ SERVICE NOW", 3),
            ("ABC1 DEF", 1), ("订单ABC太慢", 1), ("NOT ok", 1), ("ok NOT", 1), ("A BB CCC", 1),
            // Long lower-case runs go eight bytes at a time; capital words on either side still count.
            ("THIS is a very long lowercase sentence AND MORE", 3), ("abcdefgh ABC", 1), ("ABCD abcdefgh1234 x", 1),
            ("aaaaaaa ABCD aaaaaaa bbbbbbbb", 1), ("ABC abcdefghijklmnop", 1), ("abcdefghijklmnop ABC", 1),
        ] {
            #expect(FoldedText(text).emphasis.capitalWords == words, "\(text) \(FoldedText(text).emphasis.capitalWords)")
        }
    }
}
