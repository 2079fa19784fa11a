/// The header section of one entity (the message or a body part): unfolded fields in order and the
/// offset where the body starts.
struct HeaderSection: Sendable {
    var fields: [MailHeader] = []
    /// Offset of the first body byte (the end of the range when there is no body).
    var bodyStart: Int

    /// The first field with this name, case-insensitively.
    func value(_ name: String) -> String? {
        fields.first { ASCII.equalsIgnoringCase($0.name, name) }?.value
    }

    /// Every field with this name, in order.
    func values(_ name: String) -> [String] {
        fields.filter { ASCII.equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    /// Splits the header section off `range`.
    ///
    /// - Parameters:
    ///   - maximumBytes: header bytes kept; later lines are ignored (the body still starts after the
    ///     first empty line, found by a linear scan).
    ///   - location: how warnings name this entity, e.g. "message header" or "part 1.2".
    ///   - isBodyPart: a body part whose first line is not a header field is taken to have no header
    ///     section, which keeps the text of sloppily generated parts.
    static func parse(
        _ bytes: [UInt8],
        range: Range<Int>,
        maximumBytes: Int,
        location: String,
        isBodyPart: Bool,
        warnings: inout WarningLog
    ) -> HeaderSection {
        var section = HeaderSection(bodyStart: range.upperBound)
        var current: (name: String, value: [UInt8])?
        var position = range.lowerBound
        var used = 0
        var overLimit = false
        var lineNumber = 0
        var terminated = false

        func finish() {
            guard let field = current else { return }
            current = nil
            let value = headerString(trim(field.value), name: field.name, location: location, warnings: &warnings)
            section.fields.append(MailHeader(name: field.name, value: value))
        }

        while position < range.upperBound {
            let newline = bytes.firstIndex(of: ASCII.lf, in: position..<range.upperBound)
            let next = newline.map { $0 + 1 } ?? range.upperBound
            var lineEnd = newline ?? range.upperBound
            if lineEnd > position, bytes[lineEnd - 1] == ASCII.cr { lineEnd -= 1 }

            if lineEnd == position {
                section.bodyStart = next
                terminated = true
                break
            }
            lineNumber += 1
            if !overLimit {
                used += next - position
                if used > maximumBytes {
                    overLimit = true
                    // A field completed before this line is kept; one this line would continue is cut.
                    if bytes[position] == ASCII.space || bytes[position] == ASCII.tab {
                        current = nil
                    } else {
                        finish()
                    }
                    warnings.add("header section of \(location) exceeds \(maximumBytes) bytes; the rest of it is ignored")
                }
            }
            if overLimit {
                position = next
                continue
            }

            let first = bytes[position]
            if first == ASCII.space || first == ASCII.tab {
                if current != nil {
                    current?.value.append(contentsOf: bytes[position..<lineEnd])
                } else if isBodyPart && lineNumber == 1 {
                    return HeaderSection(bodyStart: range.lowerBound)
                } else {
                    warnings.add("header line \(lineNumber) of \(location) continues no field; skipped")
                }
                position = next
                continue
            }

            finish()
            if let colon = bytes.firstIndex(of: UInt8(ascii: ":"), in: position..<lineEnd),
               let name = fieldName(bytes[position..<colon]) {
                current = (name, Array(bytes[(colon + 1)..<lineEnd]))
            } else if isBodyPart && lineNumber == 1 {
                return HeaderSection(bodyStart: range.lowerBound)
            } else if lineNumber == 1 && bytes[position..<lineEnd].starts(with: Array("From ".utf8)) {
                // An mbox separator line, not a header field.
            } else {
                warnings.add("header line \(lineNumber) of \(location) has no field name and colon; skipped")
            }
            position = next
        }
        if !overLimit { finish() }
        if !terminated && !range.isEmpty && !isBodyPart {
            warnings.add("\(location) is not followed by an empty line; the message has no body")
        }
        return section
    }

    /// The field name before the colon, nil unless it is printable ASCII without spaces (a space
    /// before the colon is tolerated).
    private static func fieldName(_ raw: ArraySlice<UInt8>) -> String? {
        var end = raw.endIndex
        while end > raw.startIndex, raw[end - 1] == ASCII.space || raw[end - 1] == ASCII.tab { end -= 1 }
        let name = raw[raw.startIndex..<end]
        guard !name.isEmpty, name.allSatisfy({ $0 >= 33 && $0 <= 126 }) else { return nil }
        return String(decoding: name, as: UTF8.self)
    }

    private static func trim(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, ASCII.isWhitespace(bytes[start]) { start += 1 }
        while end > start, ASCII.isWhitespace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }

    /// Header values should be ASCII (or UTF-8 per RFC 6532); raw 8-bit values from older Chinese
    /// mailers are usually GB18030, and anything else is read as Latin-1 so no byte is lost.
    private static func headerString(_ bytes: ArraySlice<UInt8>, name: String, location: String, warnings: inout WarningLog) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        let array = Array(bytes)
        if let text = Charsets.decodeGB18030(array) {
            warnings.add("8-bit \(WarningLog.token(name)) field in \(location) is not UTF-8; decoded as GB18030")
            return text
        }
        warnings.add("8-bit \(WarningLog.token(name)) field in \(location) is not UTF-8; decoded as Latin-1")
        return String(String.UnicodeScalarView(array.map { Unicode.Scalar($0) }))
    }
}
