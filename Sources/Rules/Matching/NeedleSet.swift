/// A few short terms (negators, intensifiers) looked for in the handful of bytes before each cue.
///
/// Every cue hit asks whether one of them stands just before it, so the search runs many times per
/// message: a bitmap of the terms' first two bytes rejects almost every position with one lookup, and
/// only candidates are compared in full. Classification asks ``starts(at:in:before:)`` at each character
/// as it walks back from a cue.
struct NeedleSet: Sendable {
    private let needles: [[UInt8]]
    /// Whether each needle is made of ASCII word characters and so must stand as a whole word.
    private let wordLike: [Bool]
    /// Whether each needle starts with an apostrophe (`'t`, `’t`) and so must follow a letter: the `'t` of
    /// "don't", not the quote before "'the system is down'".
    private let afterLetter: [Bool]
    /// Bit `a << 8 | b` is set when some needle starts with bytes `a`, `b`.
    private let pairs: [UInt64]
    /// Bit `a` is set when some needle is the single byte `a`.
    private let singles: [UInt64]

    init(_ terms: [[UInt8]]) {
        needles = terms.filter { !$0.isEmpty }
        wordLike = needles.map { $0.allSatisfy(\.isASCIIWordCharacter) }
        afterLetter = needles.map { $0.first == 0x27 || $0.starts(with: [0xE2, 0x80, 0x99]) }
        var pairs = [UInt64](repeating: 0, count: 65_536 / 64)
        var singles = [UInt64](repeating: 0, count: 4)
        for needle in needles {
            if needle.count == 1 {
                singles[Int(needle[0]) >> 6] |= 1 << (UInt64(needle[0]) & 63)
            } else {
                let pair = Int(needle[0]) << 8 | Int(needle[1])
                pairs[pair >> 6] |= 1 << UInt64(pair & 63)
            }
        }
        self.pairs = pairs
        self.singles = singles
    }

    var isEmpty: Bool { needles.isEmpty }

    /// Whether a needle starts at byte `start` and ends by `end`. An ASCII-word needle must not touch
    /// word characters on either side (looked at in the whole buffer, so `know` does not hold `no`). A
    /// bitmap of the needles' first two bytes rejects almost every position with one look-up.
    @inline(__always)
    func starts(at start: Int, in bytes: UnsafeBufferPointer<UInt8>, before end: Int) -> Bool {
        mayStart(at: start, in: bytes, before: end) && matchAt(start, in: bytes, before: end)
    }

    /// Whether a needle might start at byte `start` (ending by `end`), by the bitmaps alone: false means
    /// none does. A set made of two others' needles answers for both with one look-up.
    @inline(__always)
    func mayStart(at start: Int, in bytes: UnsafeBufferPointer<UInt8>, before end: Int) -> Bool {
        let first = bytes[start]
        if singles.withUnsafeBufferPointer({ $0[Int(first) >> 6] & (1 << (UInt64(first) & 63)) != 0 }) { return true }
        guard start + 1 < end else { return false }
        let pair = Int(first) << 8 | Int(bytes[start + 1])
        return pairs.withUnsafeBufferPointer { $0[pair >> 6] & (1 << UInt64(pair & 63)) != 0 }
    }

    private func matchAt(_ start: Int, in bytes: UnsafeBufferPointer<UInt8>, before end: Int) -> Bool {
        search: for (index, needle) in needles.enumerated() where start + needle.count <= end {
            for offset in 0..<needle.count where bytes[start + offset] != needle[offset] { continue search }
            if afterLetter[index] {
                guard start > 0, bytes[start - 1] &- 0x61 < 26 || bytes[start - 1] &- 0x41 < 26 else { continue search }
                return true
            }
            guard wordLike[index] else { return true }
            let before = start > 0 ? bytes[start - 1] : 0x20
            let after = start + needle.count < bytes.count ? bytes[start + needle.count] : 0x20
            if !before.isASCIIWordCharacter && !after.isASCIIWordCharacter { return true }
        }
        return false
    }
}
