/// Final shaping of decoded plain text: line endings, format=flowed, and blank-line trimming.
enum PlainText {
    /// Line endings become `\n`, a byte-order mark is dropped, RFC 3676 flowed lines are rejoined
    /// when `flowed` is set, and leading blank lines and trailing whitespace are trimmed.
    static func normalize(_ text: String, flowed: Bool = false, deleteSpace: Bool = false) -> String {
        let source = Array(text.utf8)
        var bytes = lineFeedsOnly(source[(source.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0)...])
        if flowed { bytes = unflow(bytes, deleteSpace: deleteSpace) }

        var start = 0
        var lineStart = 0
        while start < bytes.count, ASCII.isWhitespace(bytes[start]) {
            if bytes[start] == ASCII.lf { lineStart = start + 1 }
            start += 1
        }
        // Keep the indentation of the first line with text.
        start = start == bytes.count ? start : lineStart
        var end = bytes.count
        while end > start, ASCII.isWhitespace(bytes[end - 1]) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// RFC 3676: a line ending in a space continues on the next line of the same quote depth;
    /// space-stuffing is undone and the signature separator `-- ` stays a hard break.
    private static func unflow(_ bytes: [UInt8], deleteSpace: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var continuing = false
        var continuingDepth = 0
        for line in bytes.split(separator: ASCII.lf, omittingEmptySubsequences: false) {
            var content = line[...]
            var depth = 0
            while content.first == UInt8(ascii: ">") {
                depth += 1
                content = content.dropFirst()
            }
            if content.first == ASCII.space { content = content.dropFirst() }
            if continuing && depth != continuingDepth {
                out.append(ASCII.lf)
                continuing = false
            }
            if !continuing && depth > 0 {
                out.append(contentsOf: [UInt8](repeating: UInt8(ascii: ">"), count: depth))
                out.append(ASCII.space)
            }
            let isSignature = content.elementsEqual("-- ".utf8)
            if content.last == ASCII.space && !isSignature {
                out.append(contentsOf: deleteSpace ? content.dropLast() : content)
                continuing = true
                continuingDepth = depth
            } else {
                out.append(contentsOf: content)
                out.append(ASCII.lf)
                continuing = false
            }
        }
        return out
    }

    /// The bytes with every line ending (CRLF, lone CR or LF) written as a single LF.
    static func lineFeedsOnly(_ source: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(source.count)
        var index = source.startIndex
        while index < source.endIndex {
            let byte = source[index]
            if byte == ASCII.cr {
                out.append(ASCII.lf)
                if index + 1 < source.endIndex, source[index + 1] == ASCII.lf { index += 1 }
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }
}
