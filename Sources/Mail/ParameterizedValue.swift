/// A header value with parameters, as in Content-Type and Content-Disposition:
/// `text/plain; charset="gb2312"; format=flowed` or `attachment; filename*=UTF-8''%E6%8A%A5.pdf`.
/// The same reading serves mail parts and HTTP headers (an upload's `Content-Type` boundary, its
/// `Content-Disposition` file name, RFC 6266 and RFC 8187 being RFC 2231's HTTP form).
public struct ParameterizedValue: Sendable, Equatable {
    /// The lower-cased value before the first `;`, comments and spaces removed.
    public var value: String
    /// Lower-cased parameter names to values, quoted strings unquoted and RFC 2231 extended and
    /// continued parameters decoded and joined.
    public var parameters: [String: String]

    /// The parameter `name` (lower-case), decoded.
    public subscript(name: String) -> String? { parameters[name] }

    /// Reads a header field's value; never fails, leaving out what it cannot read.
    public init(_ header: String) {
        let scalars = Array(header.unicodeScalars)
        var index = 0
        var head = String.UnicodeScalarView()
        var inComment = 0
        while index < scalars.count, scalars[index] != ";" {
            let scalar = scalars[index]
            if scalar == "(" { inComment += 1 }
            if inComment == 0 && !ASCII.isSpace(scalar) { head.append(scalar) }
            if scalar == ")" && inComment > 0 { inComment -= 1 }
            index += 1
        }
        value = ASCII.lowercased(String(head))

        var plain: [String: String] = [:]
        var extended: [String: String] = [:]
        var segments: [String: [(number: Int, value: String, encoded: Bool)]] = [:]

        while index < scalars.count {
            while index < scalars.count, scalars[index] == ";" || ASCII.isSpace(scalars[index]) { index += 1 }
            var name = String.UnicodeScalarView()
            while index < scalars.count, scalars[index] != "=", scalars[index] != ";" {
                if !ASCII.isSpace(scalars[index]) { name.append(scalars[index]) }
                index += 1
            }
            guard index < scalars.count, scalars[index] == "=" else { continue }
            index += 1
            while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
            var raw = String.UnicodeScalarView()
            if index < scalars.count, scalars[index] == "\"" {
                index += 1
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                    raw.append(scalars[index])
                    index += 1
                }
                // Skip the closing quote and anything up to the next parameter.
                while index < scalars.count, scalars[index] != ";" { index += 1 }
            } else {
                while index < scalars.count, scalars[index] != ";" {
                    raw.append(scalars[index])
                    index += 1
                }
            }
            let key = ASCII.lowercased(String(name))
            let rawValue = ASCII.trimmed(String(raw))
            guard !key.isEmpty else { continue }

            let parts = key.split(separator: "*", omittingEmptySubsequences: false)
            if parts.count == 1 {
                if plain[key] == nil { plain[key] = rawValue }
            } else if parts.count == 2, parts[1].isEmpty {
                extended[String(parts[0])] = Self.decodeExtended(rawValue, hasCharset: true, charset: nil).text
            } else if parts.count <= 3, let number = Int(parts[1]), number >= 0, number < 1000,
                      parts.count == 2 || parts[2].isEmpty {
                segments[String(parts[0]), default: []].append((number, rawValue, parts.count == 3))
            }
        }

        for (name, list) in segments {
            // A repeated segment number keeps its first value; the sort is stable.
            var seen = Set<Int>()
            let ordered = list.enumerated()
                .sorted { ($0.element.number, $0.offset) < ($1.element.number, $1.offset) }
                .map(\.element)
                .filter { seen.insert($0.number).inserted }
            var bytes: [UInt8] = []
            var charset: String?
            var anyEncoded = false
            for (position, segment) in ordered.enumerated() {
                // Segments are joined as bytes before decoding, so a character split across two
                // segments survives; only the first names the charset.
                if segment.encoded {
                    anyEncoded = true
                    let decoded = Self.decodeExtended(segment.value, hasCharset: position == 0, charset: charset)
                    if position == 0 { charset = decoded.charset }
                    bytes.append(contentsOf: decoded.bytes)
                } else {
                    bytes.append(contentsOf: segment.value.utf8)
                }
            }
            let text = anyEncoded ? Self.decodeBytes(bytes, charset: charset) : String(decoding: bytes, as: UTF8.self)
            if extended[name] == nil { extended[name] = text }
        }
        parameters = plain.merging(extended) { _, new in new }
    }

    /// Decodes `charset'language'percent-encoded` (or only the percent-encoded part for later
    /// continuation segments).
    private static func decodeExtended(_ raw: String, hasCharset: Bool, charset: String?) -> (text: String, bytes: [UInt8], charset: String?) {
        var encoded = Substring(raw)
        var charsetName = charset
        if hasCharset {
            let pieces = raw.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
            if pieces.count == 3 {
                charsetName = String(pieces[0])
                encoded = pieces[2]
            }
        }
        let source = Array(encoded.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(source.count)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "%"), index + 2 < source.count,
               let high = ASCII.hexValue(source[index + 1]), let low = ASCII.hexValue(source[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return (decodeBytes(bytes, charset: charsetName), bytes, charsetName)
    }

    private static func decodeBytes(_ bytes: [UInt8], charset: String?) -> String {
        if let charset, !charset.isEmpty, let decoded = Charsets.decodeLossy(bytes, charset: charset) {
            return decoded.text
        }
        return Charsets.decodeUTF8(bytes).text
    }
}
