import Foundation

/// Folds text so a rule written once matches the ways customers type it: compatibility forms
/// (full-width `ＶＩＰ` is `vip`), case, invisible format characters (`投\u{200B}诉` is `投诉`),
/// Traditional Chinese (`投訴` is `投诉`) and runs of white space. Rule terms and message fields go
/// through the same function, so they always agree.
public enum TextNormalizer {
    /// Typography the folding hides but the classifier wants: shouting in capitals and runs of `!`.
    /// One counter serves both the fast fold (which feeds it as it goes) and the general path.
    public struct Emphasis: Sendable, Equatable {
        /// Words of three or more capital letters (full-width too) with no lower case or digits.
        public var capitalWords = 0
        /// The longest run of `!` in the folded text (full-width `！` included).
        public var longestExclamationRun = 0
        private var capitals = 0
        private var spoiled = false
        private var exclamations = 0

        public init() {}

        /// Measures `original` as written (capitals) and `folded` (exclamation runs): the general path.
        public init(original: String, folded: String) {
            for scalar in original.unicodeScalars { observe(scalar.value) }
            for byte in folded.utf8 { observeFolded(byte == 0x21) }
            finish()
        }

        /// Feeds one character as the customer wrote it: a word in capitals ends at anything that is
        /// not a letter or digit; lower case or digits spoil it.
        @inline(__always)
        mutating func observe(_ value: UInt32) {
            switch value {
            case 0x41...0x5A, 0xFF21...0xFF3A: capitals += 1
            case 0x61...0x7A, 0x30...0x39, 0xFF41...0xFF5A, 0xFF10...0xFF19: spoiled = true
            default:
                if capitals >= 3 && !spoiled { capitalWords += 1 }
                capitals = 0
                spoiled = false
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
        var text = text
        var emphasis = Emphasis()
        if let fast = text.withUTF8({ fastNormalize($0, emphasis: &emphasis) }) { return fast }
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        fold(text) { bytes, _ in
            output.append(contentsOf: bytes)
            return true
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The hot path: decodes UTF-8 by hand and writes folded bytes straight into the new string. Returns
    /// nil (and the caller takes the general path) for text outside the Basic Multilingual Plane or text
    /// whose folding would outgrow the buffer.
    static func fastNormalize(
        _ input: UnsafeBufferPointer<UInt8>, emphasis: inout Emphasis, origins: UnsafeMutablePointer<Int32>? = nil
    ) -> String? {
        let table = FoldTable.shared
        var measured = Emphasis()
        let capacity = fastCapacity(input.count)
        var failed = false
        let result = String(unsafeUninitializedCapacity: capacity) { output in
            var written = 0
            var pendingSpace = false
            var index = 0
            let count = input.count
            var origin: Int32 = 0
            // Records, for each folded byte, where its character starts in the input.
            @inline(__always) func mark(_ bytes: Int) {
                guard let origins else { return }
                for offset in 0..<bytes { origins[written + offset] = origin }
            }
            @inline(__always) func put(_ value: UInt32) {
                if value < 0x80 {
                    mark(1)
                    output[written] = UInt8(value)
                    written += 1
                } else if value < 0x800 {
                    mark(2)
                    output[written] = UInt8(0xC0 | (value >> 6))
                    output[written + 1] = UInt8(0x80 | (value & 0x3F))
                    written += 2
                } else {
                    mark(3)
                    output[written] = UInt8(0xE0 | (value >> 12))
                    output[written + 1] = UInt8(0x80 | ((value >> 6) & 0x3F))
                    output[written + 2] = UInt8(0x80 | (value & 0x3F))
                    written += 3
                }
            }
            while index < count {
                if written + 64 > capacity {
                    failed = true
                    return 0
                }
                let lead = input[index]
                origin = Int32(index)
                let value: UInt32
                if lead < 0x80 {
                    // ASCII: letters fold to lower case; white space and controls go through the table.
                    if lead >= 0x41 && lead <= 0x5A {
                        if pendingSpace { mark(1); output[written] = 0x20; written += 1; pendingSpace = false }
                        mark(1)
                        output[written] = lead | 0x20
                        written += 1
                        index += 1
                        measured.observe(UInt32(lead))
                        measured.observeFolded(false)
                        continue
                    }
                    // Lower-case letters and digits fold to themselves and spoil a capital word.
                    if (lead >= 0x61 && lead <= 0x7A) || (lead >= 0x30 && lead <= 0x39) {
                        if pendingSpace { mark(1); output[written] = 0x20; written += 1; pendingSpace = false }
                        mark(1)
                        output[written] = lead
                        written += 1
                        index += 1
                        measured.observe(UInt32(lead))
                        measured.observeFolded(false)
                        continue
                    }
                    value = UInt32(lead)
                    index += 1
                } else if lead < 0xE0 {
                    guard index + 1 < count else { failed = true; return 0 }
                    value = UInt32(lead & 0x1F) << 6 | UInt32(input[index + 1] & 0x3F)
                    index += 2
                } else if lead < 0xF0 {
                    guard index + 2 < count else { failed = true; return 0 }
                    value = UInt32(lead & 0x0F) << 12 | UInt32(input[index + 1] & 0x3F) << 6 | UInt32(input[index + 2] & 0x3F)
                    index += 3
                } else {
                    failed = true  // outside the BMP: the general path folds it through Foundation
                    return 0
                }
                measured.observe(value)
                let entry = table.bmp[Int(value)]
                if entry != FoldTable.deleted { measured.observeFolded(entry == 0x21) }
                if entry == FoldTable.deleted { continue }
                if entry == FoldTable.space {
                    pendingSpace = written > 0
                    continue
                }
                if pendingSpace {
                    mark(1)
                    output[written] = 0x20
                    written += 1
                    pendingSpace = false
                }
                if entry & FoldTable.overflowFlag != 0 {
                    let bytes = table.overflow[Int(entry & ~FoldTable.overflowFlag)]
                    guard written + bytes.count + 64 <= capacity else { failed = true; return 0 }
                    mark(bytes.count)
                    for byte in bytes {
                        output[written] = byte
                        written += 1
                    }
                    continue
                }
                put(entry)
            }
            return written
        }
        measured.finish()
        emphasis = measured
        return failed ? nil : result
    }

    /// The most bytes the fast path writes for an input of `count` bytes.
    static func fastCapacity(_ count: Int) -> Int { count + count / 2 + 64 }

    /// Folds for matching in one pass: the folded text, where each folded byte came from in `text`,
    /// and the emphasis. Nil when the text needs the general path (see `normalize`).
    public static func foldForMatching(_ text: String) -> (text: String, origins: [Int32], emphasis: Emphasis)? {
        var text = text
        return text.withUTF8 { input in
            var emphasis = Emphasis()
            var folded: String?
            let origins = [Int32](unsafeUninitializedCapacity: fastCapacity(input.count)) { buffer, initialized in
                folded = fastNormalize(input, emphasis: &emphasis, origins: buffer.baseAddress)
                initialized = folded?.utf8.count ?? 0
            }
            return folded.map { ($0, origins, emphasis) }
        }
    }

    /// For each of `positions` (byte offsets into the folded text, ascending), the UTF-8 offset in `text`
    /// of the character that produced it; a position at the end maps to the end. Stops folding after the
    /// last position. (Classification gets these from ``foldForMatching(_:)`` instead; this is the
    /// general path for text the fast fold does not take.)
    public static func originalOffsets(in text: String, at positions: [Int]) -> [Int] {
        guard let last = positions.last else { return [] }
        let map = originalOffsets(in: text, through: last)
        return positions.map { map[min($0, map.count - 1)] }
    }

    /// For each folded byte up to `limit`, the UTF-8 offset in `text` of the character it came from.
    /// Stops folding once past `limit`, so mapping a few early matches costs only the text before them.
    public static func originalOffsets(in text: String, through limit: Int, _ collect: (UnsafeBufferPointer<UInt8>) -> Void = { _ in }) -> [Int] {
        var offsets: [Int] = []
        offsets.reserveCapacity(min(limit, text.utf8.count) + 1)
        fold(text) { bytes, origin in
            collect(bytes)
            for _ in 0..<bytes.count { offsets.append(origin) }
            return offsets.count <= limit
        }
        if offsets.count <= limit { offsets.append(text.utf8.count) }
        return offsets
    }

    /// Whether Traditional Chinese is folded (OpenCC's data is installed).
    public static var foldsTraditionalChinese: Bool { FoldTable.shared.foldsTraditional }

    /// Walks `text` once, handing each folded piece and the offset of its source character to `emit`.
    /// White space runs become one space; leading and trailing white space is dropped.
    @inline(__always)
    /// `emit` returns false to stop early.
    static func fold(_ text: String, _ emit: (UnsafeBufferPointer<UInt8>, Int) -> Bool) {
        let table = FoldTable.shared
        var pendingSpace = false
        var emitted = false
        var offset = 0
        var scratch: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        var going = true
        func emitSpace(at origin: Int) {
            pendingSpace = false
            withUnsafeBytes(of: UInt8(0x20)) { going = emit($0.bindMemory(to: UInt8.self), origin) && going }
        }
        func emitScalar(_ value: UInt32, at origin: Int) {
            if pendingSpace { emitSpace(at: origin) }
            emitted = true
            let count: Int
            if value < 0x80 {
                scratch.0 = UInt8(value)
                count = 1
            } else if value < 0x800 {
                scratch.0 = UInt8(0xC0 | (value >> 6))
                scratch.1 = UInt8(0x80 | (value & 0x3F))
                count = 2
            } else if value < 0x10000 {
                scratch.0 = UInt8(0xE0 | (value >> 12))
                scratch.1 = UInt8(0x80 | ((value >> 6) & 0x3F))
                scratch.2 = UInt8(0x80 | (value & 0x3F))
                count = 3
            } else {
                scratch.0 = UInt8(0xF0 | (value >> 18))
                scratch.1 = UInt8(0x80 | ((value >> 12) & 0x3F))
                scratch.2 = UInt8(0x80 | ((value >> 6) & 0x3F))
                scratch.3 = UInt8(0x80 | (value & 0x3F))
                count = 4
            }
            withUnsafeBytes(of: &scratch) { raw in
                going = emit(UnsafeBufferPointer(start: raw.bindMemory(to: UInt8.self).baseAddress, count: count), origin) && going
            }
        }
        for scalar in text.unicodeScalars {
            if !going { return }
            let origin = offset
            let value = scalar.value
            offset += UTF8.width(scalar)
            if value < 0x10000 {
                let entry = table.bmp[Int(value)]
                if entry == FoldTable.deleted { continue }
                if entry == FoldTable.space {
                    pendingSpace = emitted
                    continue
                }
                if entry & FoldTable.overflowFlag != 0 {
                    let bytes = table.overflow[Int(entry & ~FoldTable.overflowFlag)]
                    if pendingSpace { emitSpace(at: origin) }
                    emitted = true
                    bytes.withUnsafeBufferPointer { going = emit($0, origin) && going }
                    continue
                }
                emitScalar(entry, at: origin)
            } else {
                // Outside the BMP (emoji, rare ideographs): fold through Foundation, uncached.
                for folded in FoldTable.fold(scalar, traditional: [:]) {
                    if folded == " " {
                        pendingSpace = emitted
                    } else {
                        emitScalar(folded.value, at: origin)
                    }
                }
            }
        }
    }

    /// `zh` when the text holds CJK ideographs, else `en`: the languages the shipped scripts cover.
    public static func detectLanguage(_ text: String) -> String {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF, 0x20000...0x2A6DF:
                return "zh"
            default:
                continue
            }
        }
        return "en"
    }
}
