/// RFC 2047 encoded words (`=?charset?B|Q?text?=`): decoding for headers and encoding for the composer.
enum EncodedWords {
    /// Decodes every well-formed encoded word in `value`. Whitespace between adjacent encoded words is
    /// dropped, and adjacent words in one charset are decoded together so a character split across
    /// words (common from some mailers) survives. Malformed words stay as written.
    static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        let bytes = Array(value.utf8)
        let count = bytes.count
        var result = ""
        var literalStart = 0
        var pending: (charset: String, bytes: [UInt8])?
        var index = 0

        func flush() {
            guard let run = pending else { return }
            result += decodeBytes(run.bytes, charset: run.charset)
            pending = nil
        }

        while index + 1 < count {
            guard bytes[index] == UInt8(ascii: "="), bytes[index + 1] == UInt8(ascii: "?") else {
                index += 1
                continue
            }
            switch parseWord(bytes, at: index) {
            case .word(let charset, let decoded, let end):
                let between = bytes[literalStart..<index]
                // Whitespace between encoded words is not part of the text.
                let joinsPrevious = pending != nil && between.allSatisfy(ASCII.isWhitespace)
                if !joinsPrevious {
                    flush()
                    result += String(decoding: between, as: UTF8.self)
                }
                if let run = pending, ASCII.lowercased(run.charset) == ASCII.lowercased(charset) {
                    pending?.bytes.append(contentsOf: decoded)
                } else {
                    flush()
                    pending = (charset, decoded)
                }
                index = end
                literalStart = end
            case .notAWord(let resume):
                index = resume
            }
        }
        flush()
        result += String(decoding: bytes[literalStart..<count], as: UTF8.self)
        return result
    }

    private enum Parsed {
        case word(charset: String, bytes: [UInt8], end: Int)
        /// Where scanning may resume without missing a well-formed word.
        case notAWord(resume: Int)
    }

    private static func parseWord(_ bytes: [UInt8], at start: Int) -> Parsed {
        let count = bytes.count
        var index = start + 2
        let charsetStart = index
        while index < count, bytes[index] != UInt8(ascii: "?") {
            let byte = bytes[index]
            if ASCII.isWhitespace(byte) || byte == UInt8(ascii: "=") || byte < 0x20 || index - charsetStart > 64 {
                return .notAWord(resume: start + 1)
            }
            index += 1
        }
        guard index < count, index > charsetStart, index + 2 < count, bytes[index + 2] == UInt8(ascii: "?") else {
            return .notAWord(resume: start + 1)
        }
        let charset = String(decoding: bytes[charsetStart..<index], as: UTF8.self)
        let encoding = ASCII.lower(bytes[index + 1])
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else {
            return .notAWord(resume: start + 1)
        }
        let textStart = index + 3
        var cursor = textStart
        while cursor < count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "?"), cursor + 1 < count, bytes[cursor + 1] == UInt8(ascii: "=") {
                let text = bytes[textStart..<cursor]
                let decoded = encoding == UInt8(ascii: "b")
                    ? TransferEncoding.decodeBase64(bytes, in: textStart..<cursor).bytes
                    : decodeQ(text)
                return .word(charset: charset, bytes: decoded, end: cursor + 2)
            }
            if ASCII.isWhitespace(byte) { break }
            cursor += 1
        }
        // No word can start before `cursor` and end after it: its text would hit the same obstacle.
        return .notAWord(resume: max(cursor, start + 1))
    }

    private static func decodeQ(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "_") {
                out.append(ASCII.space)
            } else if byte == UInt8(ascii: "="), index + 2 < text.endIndex,
                      let high = ASCII.hexValue(text[index + 1]), let low = ASCII.hexValue(text[index + 2]) {
                out.append(high << 4 | low)
                index += 3
                continue
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }

    private static func decodeBytes(_ bytes: [UInt8], charset: String) -> String {
        if let decoded = Charsets.decodeLossy(bytes, charset: charset) { return decoded.text }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Encoding

    /// Splits `text` into UTF-8 B-encoded words. The first word is at most `firstLimit` characters,
    /// the rest at most 75 (the RFC 2047 limit). Splits fall on character boundaries, and on scalar
    /// boundaries only for a single character too long for one word.
    static func encode(_ text: String, firstLimit: Int = 75) -> [String] {
        let overhead = "=?UTF-8?B??=".utf8.count
        func capacity(_ limit: Int) -> Int { max(1, (max(limit, overhead + 4) - overhead) / 4 * 3) }

        var words: [String] = []
        var chunk: [UInt8] = []
        var limit = capacity(firstLimit)
        func emit() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?" + base64(chunk) + "?=")
            chunk.removeAll(keepingCapacity: true)
            limit = capacity(75)
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count <= limit {
                chunk.append(contentsOf: bytes)
                continue
            }
            emit()
            if bytes.count <= limit {
                chunk.append(contentsOf: bytes)
                continue
            }
            for scalar in character.unicodeScalars {
                let scalarBytes = Array(String(scalar).utf8)
                if chunk.count + scalarBytes.count > limit { emit() }
                chunk.append(contentsOf: scalarBytes)
            }
        }
        emit()
        return words
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let b0 = UInt32(bytes[index])
            let b1 = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            let b2 = index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(triple >> 18 & 63)])
            out.append(alphabet[Int(triple >> 12 & 63)])
            out.append(index + 1 < bytes.count ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
