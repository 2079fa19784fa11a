/// One field folded for matching (see ``TextNormalizer``): the folded UTF-8 bytes the matcher scans,
/// a map from folded positions back to the customer's own text, and what the fold noticed on the way
/// (emphasis, Chinese characters), all from one pass over the input.
///
/// The map is sparse. Most characters fold to as many bytes as they had (lower case, Traditional to
/// Simplified, single spaces), so folded and original positions differ by a constant that only changes
/// where a character is dropped, a white-space run is collapsed or a character changes length (`Ａ` →
/// `a`). Only those places are recorded, which keeps the common case to one comparison per character.
public struct FoldedText: Sendable {
    /// Where the mapping changes: from folded byte `folded` on, original positions are
    /// `original + (position - folded)` when `linear`, else `original` for every byte up to the next one.
    struct Checkpoint: Sendable, Equatable {
        var folded: Int32
        var original: Int32
        var linear: Bool
    }

    /// The folded bytes, their count and position map in the header (read and written only through
    /// `withUnsafeMutablePointerToHeader`). Not an `[UInt8]`: this toolchain looks up `[UInt8]`'s storage
    /// type in the runtime's metadata cache on every allocation, which cost more than the rest of
    /// allocating it. Safe to share (hence `nonisolated(unsafe)` where it is held): written only by the
    /// fold that creates it, before any ``FoldedText`` holds it, and never after.
    private final class Storage: ManagedBuffer<StorageHeader, UInt8> {
        static func make(capacity: Int) -> Storage {
            unsafeDowncast(create(minimumCapacity: capacity) { _ in StorageHeader(count: 0, checkpoints: []) }, to: Storage.self)
        }
    }

    /// The byte count, and the position map, kept with the bytes so a copy of the text retains one object.
    private struct StorageHeader {
        var count: Int
        var checkpoints: [Checkpoint]
    }

    nonisolated(unsafe) private var storage: Storage
    /// The UTF-8 length of the original text.
    public let originalCount: Int
    /// Capital words and exclamation runs, measured on the way.
    public private(set) var emphasis: TextNormalizer.Emphasis
    /// Whether the original holds CJK ideographs.
    public private(set) var hasIdeographs: Bool

    /// Folds `text`.
    public init(_ text: String) {
        var text = text
        self = text.withUTF8 { FoldedText(utf8: $0) }
    }

    /// Folds valid UTF-8 (as Swift strings hold it).
    public init(utf8 input: UnsafeBufferPointer<UInt8>) {
        originalCount = input.count
        // Folding rarely grows text (full-width forms shrink, a few ligatures grow); when it outgrows the
        // first guess the pass is redone with room for the worst case, which always suffices.
        let (storage, pass) = Self.fold(input, capacity: input.count + input.count / 2 + 64)
            ?? Self.fold(input, capacity: input.count * FoldTable.longestExpansion + 64)!
        self.storage = storage
        emphasis = pass.emphasis
        hasIdeographs = pass.ideographs
    }

    /// The folded text as UTF-8.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The length of the folded text in UTF-8 bytes.
    public var count: Int { storage.withUnsafeMutablePointerToHeader { $0.pointee.count } }

    /// Calls `body` with the folded text as UTF-8, without copying it.
    public func withUnsafeBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try storage.withUnsafeMutablePointers { header, bytes in
            try body(UnsafeBufferPointer(start: bytes, count: header.pointee.count))
        }
    }

    /// The folded text as a string.
    public var string: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

    /// The UTF-8 offset in the original text of the character that produced folded byte `position`;
    /// the end of the folded text maps to the end of the original.
    public func originalOffset(of position: Int) -> Int {
        if position >= count { return originalCount }
        // The last checkpoint at or before `position`.
        var low = 0
        let checkpoints = storage.withUnsafeMutablePointerToHeader { $0.pointee.checkpoints }
        var high = checkpoints.count
        while high - low > 1 {
            let middle = (low + high) / 2
            if Int(checkpoints[middle].folded) <= position { low = middle } else { high = middle }
        }
        guard low < checkpoints.count, Int(checkpoints[low].folded) <= position else { return position }
        let checkpoint = checkpoints[low]
        return checkpoint.linear ? Int(checkpoint.original) + position - Int(checkpoint.folded) : Int(checkpoint.original)
    }

    /// One pass: the folded bytes and what the pass measured, or nil when `capacity` was too small.
    private static func fold(_ input: UnsafeBufferPointer<UInt8>, capacity: Int) -> (Storage, Pass)? {
        let output = Storage.make(capacity: capacity)
        let pass = output.withUnsafeMutablePointerToElements { run(input, into: $0, capacity: capacity) }
        guard pass.complete else { return nil }
        // Through the pointer: `header` is a class's stored property, and each use of it went through
        // the runtime's dynamic exclusivity check.
        output.withUnsafeMutablePointerToHeader {
            $0.pointee = StorageHeader(count: pass.writer.written, checkpoints: pass.writer.marks)
        }
        return (output, pass)
    }

    /// What one pass produced besides the bytes.
    private struct Pass {
        var writer: Writer
        var emphasis: TextNormalizer.Emphasis
        var ideographs: Bool
        var complete: Bool
    }

    /// The fold itself, with all its state in locals so the optimizer keeps it in registers.
    private static func run(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>, capacity: Int) -> Pass {
        var writer = Writer(output: output)
        var measured = TextNormalizer.Emphasis()
        var ideographs = false
        var index = 0
        let count = input.count
        let limit = capacity - FoldTable.longestExpansion - 1
        // The table's pointers, not a copy of the table, which would retain its overflow list each time.
        let bmp = FoldTable.shared.bmp
        let cjk = FoldTable.shared.cjk
        while index < count {
            // Room for the longest fold of one character plus a pending space.
            if writer.written > limit {
                return Pass(writer: writer, emphasis: measured, ideographs: ideographs, complete: false)
            }
            let start = index
            let lead = input[index]
            if lead < 0x80 {
                if Self.isASCIILetterOrDigit(lead) {
                    // ASCII words and the single spaces between them, the common case in English: one
                    // byte each, so the position map stays as it is, and the loop keeps its state in registers.
                    let isUpper = lead &- 0x41 < 26
                    writer.putASCII(isUpper ? lead | 0x20 : lead, from: start)
                    var capitals = measured.capitals + (isUpper ? 1 : 0)
                    var spoiled = measured.spoiled || !isUpper
                    var words = measured.capitalWords
                    var i = index + 1
                    var w = writer.written
                    let end = min(count, index + 1 + max(0, limit - w))
                    let out = writer.output
                    let base = UnsafeRawPointer(input.baseAddress!)
                    let target = UnsafeMutableRawPointer(out)
                    while i < end {
                        if i + 8 <= end {
                            // Eight bytes at once when they are all lower-case letters, digits and single
                            // spaces (not last): they fold to themselves.
                            let chunk = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                            if let spaces = Self.plainWordBytes(chunk) {
                                if spaces != 0 {
                                    let spoiledAtSpace = spoiled || spaces.trailingZeroBitCount >= 8
                                    if capitals >= 3 && !spoiledAtSpace { words += 1 }
                                    capitals = 0
                                }
                                spoiled = true
                                target.storeBytes(of: chunk.littleEndian, toByteOffset: w, as: UInt64.self)
                                i += 8
                                w += 8
                                continue
                            }
                        }
                        let byte = input[i]
                        if byte &- 0x61 < 26 || byte &- 0x30 < 10 {
                            spoiled = true
                            out[w] = byte
                        } else if byte &- 0x41 < 26 {
                            capitals += 1
                            out[w] = byte | 0x20
                        } else if byte == 0x20, i + 1 < count, Self.isASCIILetterOrDigit(input[i + 1]) {
                            if capitals >= 3 && !spoiled { words += 1 }
                            capitals = 0
                            spoiled = false
                            out[w] = 0x20
                        } else {
                            break
                        }
                        i += 1
                        w += 1
                    }
                    measured.capitals = capitals
                    measured.spoiled = spoiled
                    measured.capitalWords = words
                    measured.exclamations = 0
                    writer.written = w
                    index = i
                    continue
                }
            }
            if lead &- 0xE3 < 7, index + 3 <= count {
                // U+3000–U+9FFF (CJK punctuation, kana, ideographs): the other common case. Most fold to
                // another three-byte character (Traditional to Simplified, or themselves), which keeps the
                // position map as it is for the rest of the run.
                let first = Self.threeByteFold(lead, input, at: index, cjk)
                if first != 0 {
                    // The OR of every entry, which holds ``FoldTable/cjkIdeographFlag`` when one of the
                    // characters was an ideograph.
                    var seen = first
                    measured.endWord()
                    writer.putThreeBytes(first, from: start)
                    var i = index + 3
                    var w = writer.written
                    let out = UnsafeMutableRawPointer(writer.output)
                    let base = UnsafeRawPointer(input.baseAddress!)
                    // Four bytes read and written at a time: the character and one byte past it, which the
                    // next write covers. Output never grows faster than input here, so one bound on `i`
                    // keeps both the read inside the input and `w` within `limit`.
                    let last = min(count - 4, i + (limit - w))
                    // After punctuation shrank three bytes to one, the next character needs a checkpoint.
                    var shifted = false
                    while i <= last {
                        let word = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                        let next = UInt8(truncatingIfNeeded: word)
                        let low = (word >> 2) & 0xFC0 | (word >> 16) & 0x3F
                        if next &- 0xE3 < 7 {
                            let folded = cjk[Int(((word & 0x0F) << 12 | low) &- FoldTable.cjkRange.lowerBound)]
                            guard folded != 0 else { break }
                            seen |= folded
                            if shifted {
                                writer.written = w
                                writer.record(original: i, width: 3, folded: 3)
                                shifted = false
                            }
                            out.storeBytes(of: folded.littleEndian, toByteOffset: w, as: UInt32.self)
                            i &+= 3
                            w &+= 3
                        } else if next == 0xEF {
                            // Full-width punctuation between Chinese characters (`，`, `：`) folds to one ASCII
                            // byte, which changes the position map but nothing the emphasis counts.
                            let entry = bmp[Int(low | 0xF000)]
                            guard Self.isPlainPunctuation(entry) else { break }
                            writer.written = w
                            writer.record(original: i, width: 3, folded: 1)
                            shifted = true
                            out.storeBytes(of: UInt8(truncatingIfNeeded: entry), toByteOffset: w, as: UInt8.self)
                            i &+= 3
                            w &+= 1
                        } else {
                            break
                        }
                    }
                    ideographs = ideographs || seen & FoldTable.cjkIdeographFlag != 0
                    writer.written = w
                    index = i
                    continue
                }
            }
            let value: UInt32
            let width: Int
            if lead < 0x80 {
                (value, width) = (UInt32(lead), 1)
            } else if lead < 0xE0 {
                width = 2
                guard index + width <= count else { break }  // a truncated last character is dropped
                value = UInt32(lead & 0x1F) << 6 | UInt32(input[index + 1] & 0x3F)
            } else if lead < 0xF0 {
                width = 3
                guard index + width <= count else { break }
                value = UInt32(lead & 0x0F) << 12 | UInt32(input[index + 1] & 0x3F) << 6 | UInt32(input[index + 2] & 0x3F)
                if value &- 0x3400 <= 0x9FFF - 0x3400 || value &- 0xF900 <= 0xFAFF - 0xF900 { ideographs = true }
            } else {
                width = 4
                guard index + width <= count else { break }
                value = UInt32(lead & 0x07) << 18 | UInt32(input[index + 1] & 0x3F) << 12
                    | UInt32(input[index + 2] & 0x3F) << 6 | UInt32(input[index + 3] & 0x3F)
            }
            index += width
            // An invisible character is not there for the emphasis either: a zero-width space inside
            // "F\u{200B}OUR" must not end the word in capitals.
            guard value < 0x10000 else {
                // Outside the Basic Multilingual Plane (emoji, rare ideographs): rare enough to fold
                // through Foundation each time instead of holding a table.
                if value &- 0x20000 <= 0x2A6DF - 0x20000 { ideographs = true }
                let folded = FoldTable.fold(Unicode.Scalar(value)!, traditional: [:])
                if folded.isEmpty { continue }
                measured.observe(value)
                measured.observeFolded(false)
                if folded == [" "] {
                    writer.space(from: start, width: width)
                } else {
                    writer.put(Array(String(String.UnicodeScalarView(folded)).utf8), from: start, width: width)
                }
                continue
            }
            let entry = bmp[Int(value)]
            if entry == FoldTable.deleted { continue }
            measured.observe(value)
            measured.observeFolded(entry == 0x21)
            if entry == FoldTable.space {
                writer.space(from: start, width: width)
            } else if entry & FoldTable.overflowFlag != 0 {
                writer.put(FoldTable.shared.overflow[Int(entry & ~FoldTable.overflowFlag)], from: start, width: width)
            } else {
                writer.put(entry, from: start, width: width)
            }
        }
        measured.finish()
        return Pass(writer: writer, emphasis: measured, ideographs: ideographs, complete: true)
    }

    /// For eight ASCII bytes that are all lower-case letters, digits or single spaces, with no space in
    /// the last byte: the high bit of each space's byte (zero when there is none). Nil for anything else.
    @inline(__always)
    static func plainWordBytes(_ chunk: UInt64) -> UInt64? {
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        guard chunk & high == 0 else { return nil }
        // Per byte b < 0x80: b + (0x80 - low) sets the high bit when b >= low, b + (0x7F - high) when b > high;
        // no sum reaches the next byte.
        let lower = (chunk &+ ones &* 0x1F) & ~(chunk &+ ones &* 0x05) & high
        let digit = (chunk &+ ones &* 0x50) & ~(chunk &+ ones &* 0x46) & high
        let spaces = ~((chunk ^ (ones &* 0x20)) &+ ones &* 0x7F) & high
        guard lower | digit | spaces == high, spaces & (spaces >> 8) == 0, spaces >> 56 == 0 else { return nil }
        return spaces
    }

    /// A fold table entry that is ASCII punctuation other than `!`: nothing the emphasis counts, so a run
    /// of Chinese characters may take it in its stride.
    @inline(__always)
    static func isPlainPunctuation(_ entry: UInt32) -> Bool {
        entry &- 0x22 < 0x0E || entry &- 0x3A < 0x07 || entry &- 0x5B < 0x06 || entry &- 0x7B < 0x04
    }

    /// An ASCII letter or digit (not `_`, which folds through the general path).
    @inline(__always)
    static func isASCIILetterOrDigit(_ byte: UInt8) -> Bool {
        byte &- 0x61 < 26 || byte &- 0x30 < 10 || byte &- 0x41 < 26
    }

    /// The fold of the three-byte character (lead byte `lead`, E3–E9: U+3000–U+9FFF) at `index`, as a
    /// ``FoldTable/cjk`` entry: 0 unless it folds to another three-byte character.
    @inline(__always)
    static func threeByteFold(
        _ lead: UInt8, _ input: UnsafeBufferPointer<UInt8>, at index: Int, _ cjk: UnsafePointer<UInt32>
    ) -> UInt32 {
        let value = UInt32(lead & 0x0F) << 12 | UInt32(input[index + 1] & 0x3F) << 6 | UInt32(input[index + 2] & 0x3F)
        return cjk[Int(value &- FoldTable.cjkRange.lowerBound)]
    }

    /// Writes a scalar from U+0800 to U+FFFF as its three UTF-8 bytes at `output[at]`.
    @inline(__always)
    static func storeThreeBytes(_ value: UInt32, _ output: UnsafeMutablePointer<UInt8>, at: Int) {
        output[at] = UInt8(0xE0 | (value >> 12))
        output[at + 1] = UInt8(0x80 | ((value >> 6) & 0x3F))
        output[at + 2] = UInt8(0x80 | (value & 0x3F))
    }

    /// The output side of a fold: writes folded characters and records where the position map changes.
    private struct Writer {
        let output: UnsafeMutablePointer<UInt8>
        var written = 0
        var marks: [Checkpoint] = []
        /// The current mapping: linear with `delta` = original − folded, or constant after a character
        /// that changed length.
        var delta = 0
        var linear = true
        /// A white-space run waiting to be written as one space when something follows it.
        var pendingSpace = -1
        var pendingSpaceWidth = 0

        init(output: UnsafeMutablePointer<UInt8>) {
            self.output = output
        }

        @inline(__always)
        mutating func mark(_ checkpoint: Checkpoint) {
            if marks.capacity == 0 { marks.reserveCapacity(64) }
            marks.append(checkpoint)
        }

        /// Notes that folded byte `written` on comes from the character at `original`, `width` bytes
        /// wide, which folds to `folded` bytes.
        @inline(__always)
        mutating func record(original: Int, width: Int, folded: Int) {
            if width == folded {
                if linear && original - written == delta { return }
                mark(Checkpoint(folded: Int32(written), original: Int32(original), linear: true))
                delta = original - written
                linear = true
            } else {
                mark(Checkpoint(folded: Int32(written), original: Int32(original), linear: false))
                linear = false
            }
        }

        /// White space: remembered, and written as one space only if something follows.
        @inline(__always)
        mutating func space(from start: Int, width: Int) {
            if written > 0 && pendingSpace < 0 { (pendingSpace, pendingSpaceWidth) = (start, width) }
        }

        @inline(__always)
        mutating func flushSpace() {
            guard pendingSpace >= 0 else { return }
            record(original: pendingSpace, width: pendingSpaceWidth, folded: 1)
            output[written] = 0x20
            written += 1
            pendingSpace = -1
        }

        @inline(__always)
        mutating func putASCII(_ byte: UInt8, from start: Int) {
            if pendingSpace >= 0 { flushSpace() }
            record(original: start, width: 1, folded: 1)
            output[written] = byte
            written += 1
        }

        /// A character folded to a three-byte one from a three-byte one, given as its ``FoldTable/cjk``
        /// entry: the common case for Chinese, without `put`'s tests of the value's size.
        @inline(__always)
        mutating func putThreeBytes(_ entry: UInt32, from start: Int) {
            if pendingSpace >= 0 { flushSpace() }
            record(original: start, width: 3, folded: 3)
            output[written] = UInt8(truncatingIfNeeded: entry)
            output[written + 1] = UInt8(truncatingIfNeeded: entry >> 8)
            output[written + 2] = UInt8(truncatingIfNeeded: entry >> 16)
            written += 3
        }

        @inline(__always)
        mutating func writeThreeBytes(_ value: UInt32) {
            FoldedText.storeThreeBytes(value, output, at: written)
            written += 3
        }

        @inline(__always)
        mutating func put(_ value: UInt32, from start: Int, width: Int) {
            if pendingSpace >= 0 { flushSpace() }
            if value < 0x80 {
                record(original: start, width: width, folded: 1)
                output[written] = UInt8(value)
                written += 1
            } else if value < 0x800 {
                record(original: start, width: width, folded: 2)
                output[written] = UInt8(0xC0 | (value >> 6))
                output[written + 1] = UInt8(0x80 | (value & 0x3F))
                written += 2
            } else if value < 0x10000 {
                record(original: start, width: width, folded: 3)
                writeThreeBytes(value)
            } else {
                record(original: start, width: width, folded: 4)
                output[written] = UInt8(0xF0 | (value >> 18))
                output[written + 1] = UInt8(0x80 | ((value >> 12) & 0x3F))
                output[written + 2] = UInt8(0x80 | ((value >> 6) & 0x3F))
                output[written + 3] = UInt8(0x80 | (value & 0x3F))
                written += 4
            }
        }

        @inline(__always)
        mutating func put(_ folded: [UInt8], from start: Int, width: Int) {
            if pendingSpace >= 0 { flushSpace() }
            record(original: start, width: width, folded: folded.count)
            for byte in folded {
                output[written] = byte
                written += 1
            }
        }
    }
}
