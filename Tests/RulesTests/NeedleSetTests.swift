@testable import Rules
import TestSupport
import Testing

@Suite("Negator and intensifier search")
struct NeedleSetTests {
    /// The bitmap of first byte pairs only rejects positions early; asked at every start in a range, the
    /// answer must be the plain search's.
    @Test("the prefiltered search finds exactly what a plain search finds, word boundaries included")
    func matchesPlainSearch() {
        var random = FuzzRandom(state: 11)
        let alphabet = ["no", "not", "know", "n", "o", "t", " ", "_", "不", "没有", "别", "无需", "太", "x", "!", "ok"]
        let terms = ["不", "没", "没有", "别", "无需", "not", "no", "never", "!", "太"]
        for _ in 0..<600 {
            let chosenTerms = terms.filter { _ in random.below(2) == 0 }.map { Array($0.utf8) }
            let needles = NeedleSet(chosenTerms)
            let text = Array((0..<random.below(12)).map { _ in alphabet[random.below(alphabet.count)] }.joined().utf8)
            text.withUnsafeBufferPointer { bytes in
                for from in 0...bytes.count {
                    for to in from...bytes.count {
                        let found = (from..<to).contains { needles.starts(at: $0, in: bytes, before: to) }
                        #expect(found == Self.plain(chosenTerms, bytes, from, to),
                                "\(String(decoding: text, as: UTF8.self)) \(from)..<\(to)")
                    }
                }
            }
        }
    }

    /// The window walk tests each character for a clause boundary by its lead byte first; that shortcut
    /// must agree with the list of boundaries for every character there is.
    @Test("the clause-boundary test by bytes agrees with the list of boundaries for every character")
    func clauseBoundaries() {
        var boundaries = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let utf8 = Array(String(scalar).utf8)
            let byBytes = utf8.withUnsafeBufferPointer { RuleSet.isClauseBoundary($0, at: 0) }
            #expect(byBytes == RuleSet.isClauseBoundary(value), "U+\(String(value, radix: 16))")
            if byBytes { boundaries += 1 }
        }
        #expect(boundaries == 21)
    }

    static func plain(_ terms: [[UInt8]], _ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        for needle in terms where !needle.isEmpty && needle.count <= to - from {
            let wordLike = needle.allSatisfy(\.isASCIIWordCharacter)
            for start in from...(to - needle.count) where Array(bytes[start..<(start + needle.count)]) == needle {
                let before = start > 0 ? bytes[start - 1] : 0x20
                let after = start + needle.count < bytes.count ? bytes[start + needle.count] : 0x20
                if !wordLike || (!before.isASCIIWordCharacter && !after.isASCIIWordCharacter) { return true }
            }
        }
        return false
    }
}
