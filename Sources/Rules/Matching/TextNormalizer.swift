import Foundation

/// Folds text so a rule written once matches the ways customers type it: compatibility forms
/// (full-width `ＶＩＰ` is `vip`), case, invisible format characters (`投\u{200B}诉` is `投诉`),
/// Traditional Chinese (`投訴` is `投诉`) and runs of white space. Rule terms and message fields go
/// through the same function, so they always agree.
public enum TextNormalizer {
    /// The folded text.
    public static func normalize(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        fold(text) { bytes, _ in output.append(contentsOf: bytes) }
        return String(decoding: output, as: UTF8.self)
    }

    /// The folded text and, for every byte of it, the UTF-8 offset in `text` of the character it came
    /// from (plus one entry for the end), so a match can be shown where the customer wrote it.
    public static func normalizeWithOffsets(_ text: String) -> (text: String, offsets: [Int]) {
        var output: [UInt8] = []
        var offsets: [Int] = []
        output.reserveCapacity(text.utf8.count)
        offsets.reserveCapacity(text.utf8.count + 1)
        fold(text) { bytes, origin in
            output.append(contentsOf: bytes)
            offsets.append(contentsOf: repeatElement(origin, count: bytes.count))
        }
        offsets.append(text.utf8.count)
        return (String(decoding: output, as: UTF8.self), offsets)
    }

    /// Whether Traditional Chinese is folded (OpenCC's data is installed).
    public static var foldsTraditionalChinese: Bool { FoldTable.shared.foldsTraditional }

    /// Walks `text` once, handing each folded piece and the offset of its source character to `emit`.
    /// White space runs become one space; leading and trailing white space is dropped.
    @inline(__always)
    static func fold(_ text: String, _ emit: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        let table = FoldTable.shared
        var pendingSpace = false
        var emitted = false
        var offset = 0
        var scratch: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        func emitScalar(_ value: UInt32, at origin: Int) {
            if pendingSpace {
                pendingSpace = false
                withUnsafeBytes(of: UInt8(0x20)) { emit($0.bindMemory(to: UInt8.self), origin) }
            }
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
                emit(UnsafeBufferPointer(start: raw.bindMemory(to: UInt8.self).baseAddress, count: count), origin)
            }
        }
        for scalar in text.unicodeScalars {
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
                    if pendingSpace {
                        pendingSpace = false
                        withUnsafeBytes(of: UInt8(0x20)) { emit($0.bindMemory(to: UInt8.self), origin) }
                    }
                    emitted = true
                    bytes.withUnsafeBufferPointer { emit($0, origin) }
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
