import COpenCC
import Foundation

/// What each character folds to before matching, computed once per process: Unicode compatibility
/// mapping (full-width `Ｖ` → `v`, `㈱` → `(株)`), lower case, invisible format characters removed, and
/// Traditional Chinese folded to Simplified with OpenCC's own `t2s` conversion.
///
/// A table lookup per character keeps normalization fast enough for the gateway's hot path; the rare
/// characters outside the Basic Multilingual Plane go through Foundation.
struct FoldTable: Sendable {
    /// For each BMP scalar: `deleted`, `space`, a single scalar, or `overflowFlag | index` into `overflow`.
    /// A plain pointer, so the hot loop indexes it without bounds checks or retains; the table lives as
    /// long as the process (it is `shared`), so the pointer stays valid.
    nonisolated(unsafe) let bmp: UnsafePointer<UInt32>
    /// For U+3000–U+9FFF (CJK punctuation, kana, ideographs; UTF-8 lead bytes E3–E9): when the character
    /// folds to another three-byte one, that one's UTF-8 bytes packed little-endian in the low 24 bits,
    /// with ``cjkIdeographFlag`` set when the character itself is an ideograph; else 0. The Chinese fast
    /// path copies the bytes out with one store and learns whether it saw an ideograph by OR-ing entries.
    nonisolated(unsafe) let cjk: UnsafePointer<UInt32>
    static let cjkIdeographFlag: UInt32 = 0x8000_0000
    static let cjkRange: Range<UInt32> = 0x3000..<0xA000

    /// Folds longer than one scalar, stored as UTF-8.
    let overflow: [[UInt8]]
    /// Whether Traditional → Simplified folding is active (OpenCC's data was found).
    let foldsTraditional: Bool

    static let deleted: UInt32 = 0xFFFF_FFFF
    static let space: UInt32 = 0xFFFF_FFFE
    static let overflowFlag: UInt32 = 0x8000_0000

    static let shared = FoldTable()

    /// The most UTF-8 bytes one character folds to (U+FDFA, a ligature of a whole phrase, is the longest
    /// in the BMP); bounds how much folding can grow a text.
    static let longestExpansion = max(4, shared.overflow.map(\.count).max() ?? 0)

    private init() {
        let traditional = Self.traditionalToSimplified()
        foldsTraditional = !traditional.isEmpty
        var bmp = [UInt32](repeating: 0, count: 0x10000)
        var overflow: [[UInt8]] = []
        for value in 0..<UInt32(0x10000) {
            guard let scalar = Unicode.Scalar(value) else {
                bmp[Int(value)] = Self.deleted  // surrogates never occur in a Swift String
                continue
            }
            let folded = Self.fold(scalar, traditional: traditional)
            switch folded.count {
            case 0:
                bmp[Int(value)] = Self.deleted
            case 1 where folded[0] == " ":
                bmp[Int(value)] = Self.space
            case 1:
                bmp[Int(value)] = folded[0].value
            default:
                bmp[Int(value)] = Self.overflowFlag | UInt32(overflow.count)
                var utf8: [UInt8] = []
                for scalar in folded { utf8.append(contentsOf: String(scalar).utf8) }
                overflow.append(utf8)
            }
        }
        let storage = UnsafeMutablePointer<UInt32>.allocate(capacity: bmp.count)
        storage.initialize(from: bmp, count: bmp.count)
        self.bmp = UnsafePointer(storage)
        self.overflow = overflow
        let cjk = UnsafeMutablePointer<UInt32>.allocate(capacity: Self.cjkRange.count)
        for value in Self.cjkRange {
            let entry = bmp[Int(value)]
            guard (0x800..<0x10000).contains(entry) else {
                cjk[Int(value - Self.cjkRange.lowerBound)] = 0
                continue
            }
            let utf8 = (0xE0 | entry >> 12) | (0x80 | (entry >> 6) & 0x3F) << 8 | (0x80 | entry & 0x3F) << 16
            cjk[Int(value - Self.cjkRange.lowerBound)] = utf8 | (value >= 0x3400 ? Self.cjkIdeographFlag : 0)
        }
        self.cjk = UnsafePointer(cjk)
    }

    /// The fold of one scalar, as scalars (empty when it is dropped, a single space for white space).
    static func fold(_ scalar: Unicode.Scalar, traditional: [UInt32: UInt32]) -> [Unicode.Scalar] {
        if scalar.properties.isWhitespace { return [" "] }
        if isInvisible(scalar) { return [] }
        // Phones type "can’t" with a typographic apostrophe (smart punctuation is on by default); NFKC
        // leaves it alone, so without this every term with an apostrophe would miss their messages.
        if apostrophes.contains(scalar.value) { return ["'"] }
        if scalar.isASCII {
            let value = scalar.value
            return [(0x41...0x5A).contains(value) ? Unicode.Scalar(value + 0x20)! : scalar]
        }
        let compatible = String(scalar).precomposedStringWithCompatibilityMapping.lowercased()
        var out: [Unicode.Scalar] = []
        for folded in compatible.unicodeScalars {
            if isInvisible(folded) { continue }
            if folded.properties.isWhitespace {
                out.append(" ")
                continue
            }
            out.append(traditional[folded.value].flatMap(Unicode.Scalar.init) ?? folded)
        }
        return out
    }

    /// Characters typed for an apostrophe: right and left single quotation marks, the single high-reversed-9
    /// quotation mark, the modifier-letter apostrophe and the prime.
    static let apostrophes: Set<UInt32> = [0x2019, 0x2018, 0x201B, 0x02BC, 0x2032]

    /// Format characters (zero-width spaces and joiners, BOM, bidi marks), controls other than white
    /// space, and the Hangul fillers that render as nothing.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .format, .control:
            return !scalar.properties.isWhitespace
        default:
            return [0x3164, 0x115F, 0x1160, 0xFFA0, 0x034F].contains(scalar.value)
        }
    }

    /// Every CJK ideograph that OpenCC's `t2s` converts to a different single character.
    ///
    /// Characters are converted one per line so OpenCC's phrase tables cannot join neighbours: the
    /// result is a pure character fold that keeps positions one-to-one.
    static func traditionalToSimplified() -> [UInt32: UInt32] {
        let handle = opencc_open("t2s.json")
        guard sb_opencc_is_valid(handle) != 0 else { return [:] }
        defer { opencc_close(handle) }
        let ranges: [ClosedRange<UInt32>] = [0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF]
        var characters: [UInt32] = []
        var input = ""
        for range in ranges {
            for value in range {
                guard let scalar = Unicode.Scalar(value) else { continue }
                characters.append(value)
                input.unicodeScalars.append(scalar)
                input.unicodeScalars.append("\n")
            }
        }
        guard let converted = opencc_convert_utf8(handle, input, input.utf8.count) else { return [:] }
        defer { opencc_convert_utf8_free(converted) }
        let lines = String(cString: converted).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= characters.count else { return [:] }
        var table: [UInt32: UInt32] = [:]
        for (index, value) in characters.enumerated() {
            let scalars = lines[index].unicodeScalars
            if scalars.count == 1, let simplified = scalars.first, simplified.value != value {
                table[value] = simplified.value
            }
        }
        return table
    }
}
