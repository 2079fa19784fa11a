import Foundation

/// Content-Transfer-Encoding decoders (tolerant, single pass) and the quoted-printable encoder.
enum TransferEncoding {
    /// Decodes base64, skipping whitespace and tolerating missing padding. `invalid` reports
    /// characters outside the alphabet, which are skipped.
    static func decodeBase64(_ bytes: [UInt8], in range: Range<Int>) -> (bytes: [UInt8], invalid: Bool) {
        var invalid = false
        let out = [UInt8](unsafeUninitializedCapacity: base64Capacity(range)) { buffer, count in
            (count, invalid) = decodeBase64(bytes, in: range, into: buffer)
        }
        return (out, invalid)
    }

    /// `decodeBase64` written straight into `Data`, so an attachment's bytes are allocated once.
    static func decodeBase64Data(_ bytes: [UInt8], in range: Range<Int>) -> (data: Data, invalid: Bool) {
        var data = Data(count: base64Capacity(range))
        let (count, invalid) = data.withUnsafeMutableBytes { raw in
            decodeBase64(bytes, in: range, into: raw.bindMemory(to: UInt8.self))
        }
        data.count = count
        return (data, invalid)
    }

    private static func base64Capacity(_ range: Range<Int>) -> Int { range.count * 3 / 4 + 3 }

    /// Decodes into `out`, which holds at least `base64Capacity(range)` bytes; returns the count written.
    private static func decodeBase64(_ bytes: [UInt8], in range: Range<Int>, into out: UnsafeMutableBufferPointer<UInt8>) -> (count: Int, invalid: Bool) {
        var written = 0
        var accumulator: UInt32 = 0
        var bits = 0
        var invalid = false
        for index in range {
            let value = base64Table[Int(bytes[index])]
            switch value {
            case 0..<64:
                accumulator = (accumulator << 6) | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out[written] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                    written += 1
                    accumulator &= (1 << UInt32(bits)) - 1
                }
            case padding:
                // Padding ends a quantum; some senders concatenate padded chunks, so keep going.
                accumulator = 0
                bits = 0
            case whitespace:
                continue
            default:
                invalid = true
            }
        }
        return (written, invalid)
    }

    static func decodeBase64(_ text: some StringProtocol) -> [UInt8] {
        let bytes = Array(text.utf8)
        return decodeBase64(bytes, in: 0..<bytes.count).bytes
    }

    /// Decodes quoted-printable: `=XX` escapes, soft line breaks, and removal of the trailing
    /// whitespace transports may add. Malformed escapes are kept literally.
    static func decodeQuotedPrintable(_ bytes: [UInt8], in range: Range<Int>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: range.count) { buffer, count in
            count = decodeQuotedPrintable(bytes, in: range, into: buffer)
        }
    }

    /// `decodeQuotedPrintable` written straight into `Data`, so an attachment's bytes are allocated once.
    static func decodeQuotedPrintableData(_ bytes: [UInt8], in range: Range<Int>) -> Data {
        var data = Data(count: range.count)
        let count = data.withUnsafeMutableBytes { raw in
            decodeQuotedPrintable(bytes, in: range, into: raw.bindMemory(to: UInt8.self))
        }
        data.count = count
        return data
    }

    /// Decodes into `out`, which holds at least `range.count` bytes (decoding never grows the text);
    /// returns the count written.
    private static func decodeQuotedPrintable(_ bytes: [UInt8], in range: Range<Int>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var written = 0
        func emit(_ byte: UInt8) {
            out[written] = byte
            written += 1
        }
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") {
                if index + 2 < end, let high = ASCII.hexValue(bytes[index + 1]), let low = ASCII.hexValue(bytes[index + 2]) {
                    emit(high << 4 | low)
                    index += 3
                    continue
                }
                // Soft line break, possibly with whitespace between `=` and the line end.
                var probe = index + 1
                while probe < end, bytes[probe] == ASCII.space || bytes[probe] == ASCII.tab { probe += 1 }
                if probe == end {
                    index = end
                    continue
                }
                if bytes[probe] == ASCII.lf {
                    index = probe + 1
                    continue
                }
                if bytes[probe] == ASCII.cr {
                    index = (probe + 1 < end && bytes[probe + 1] == ASCII.lf) ? probe + 2 : probe + 1
                    continue
                }
                emit(byte)
                index += 1
            } else if byte == ASCII.space || byte == ASCII.tab {
                var probe = index
                while probe < end, bytes[probe] == ASCII.space || bytes[probe] == ASCII.tab { probe += 1 }
                let atLineEnd = probe == end || bytes[probe] == ASCII.lf || bytes[probe] == ASCII.cr
                if !atLineEnd {
                    for whitespace in index..<probe { emit(bytes[whitespace]) }
                }
                index = probe
            } else {
                emit(byte)
                index += 1
            }
        }
        return written
    }

    /// Encodes text bytes (lines separated by LF) as quoted-printable with CRLF line ends, lines of at
    /// most 76 characters, `=` and trailing whitespace escaped.
    static func encodeQuotedPrintable(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8 + 8)
        let hex = Array("0123456789ABCDEF".utf8)
        var lines: [ArraySlice<UInt8>] = bytes.split(separator: ASCII.lf, omittingEmptySubsequences: false)
        if lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }
        for (lineNumber, line) in lines.enumerated() {
            if lineNumber > 0 { out.append(contentsOf: [ASCII.cr, ASCII.lf]) }
            var length = 0
            var index = line.startIndex
            while index < line.endIndex {
                let byte = line[index]
                let isLast = index == line.index(before: line.endIndex)
                let limit = isLast ? 76 : 75
                var token = qpToken(byte, isLast: isLast, atLineStart: length == 0, hex: hex)
                if length + token.count > limit {
                    out.append(contentsOf: [UInt8(ascii: "="), ASCII.cr, ASCII.lf])
                    length = 0
                    token = qpToken(byte, isLast: isLast, atLineStart: true, hex: hex)
                }
                out.append(contentsOf: token)
                length += token.count
                index = line.index(after: index)
            }
        }
        out.append(contentsOf: [ASCII.cr, ASCII.lf])
        return out
    }

    private static func qpToken(_ byte: UInt8, isLast: Bool, atLineStart: Bool, hex: [UInt8]) -> [UInt8] {
        let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
            || ((byte == ASCII.space || byte == ASCII.tab) && !isLast)
        // A dot opening a line is escaped so no relay can mistake it for the end of DATA.
        let isLeadingDot = byte == UInt8(ascii: ".") && atLineStart
        return literal && !isLeadingDot ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
    }

    private static let padding: UInt8 = 0xFD
    private static let whitespace: UInt8 = 0xFE

    private static let base64Table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        table[Int(UInt8(ascii: "="))] = 0xFD
        for byte in [ASCII.space, ASCII.tab, ASCII.cr, ASCII.lf, 0x0C, 0x0B] { table[Int(byte)] = 0xFE }
        return table
    }()
}
