import Foundation
import SwitchboardCore

/// Walks the MIME tree of a message, collecting readable text and attachments with their decoded bytes.
///
/// Every multipart level scans only its own body once, nesting is capped by `MIMELimits.maximumDepth`
/// (which also bounds recursion), and body parts are counted against `maximumParts`, so the walk is
/// linear in the input size for any input. Each attachment's bytes are decoded once, from a slice of
/// the input, so memory stays proportional to the input.
struct EntityWalker {
    /// The text an entity contributes, and its kind.
    struct Extracted: Equatable {
        var text: String
        var source: TextSource

        static let empty = Extracted(text: "", source: .none)
    }

    /// A parsed Content-Type.
    struct ContentType: Equatable {
        var type: String
        var subtype: String
        var parameters: [String: String]

        var mediaType: String { "\(type)/\(subtype)" }
    }

    let bytes: [UInt8]
    let limits: MIMELimits
    var warnings: WarningLog
    private(set) var attachments: [MessageAttachment] = []
    private var partCount = 0
    private var reportedPartLimit = false
    private var reportedDepthLimit = false

    init(bytes: [UInt8], limits: MIMELimits, warnings: WarningLog) {
        self.bytes = bytes
        self.limits = limits
        self.warnings = warnings
    }

    /// The Content-Type of an entity, or `fallback` when it is absent or unreadable.
    static func contentType(of headers: HeaderSection, fallback: String) -> (ContentType, readable: Bool) {
        let defaultPieces = fallback.split(separator: "/")
        let defaultType = ContentType(type: String(defaultPieces[0]), subtype: String(defaultPieces[1]), parameters: [:])
        guard let raw = headers.value("content-type") else { return (defaultType, true) }
        let parsed = ParameterizedValue(raw)
        let pieces = parsed.value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty {
            return (ContentType(type: String(pieces[0]), subtype: String(pieces[1]), parameters: parsed.parameters), true)
        }
        if parsed.value == "text" {
            return (ContentType(type: "text", subtype: "plain", parameters: parsed.parameters), true)
        }
        return (ContentType(type: defaultType.type, subtype: defaultType.subtype, parameters: parsed.parameters), false)
    }

    /// - Parameter inRelated: the entity is a direct part of a multipart/related, where a part with a
    ///   Content-ID and no disposition is a resource the body shows (an inline image).
    mutating func walk(
        headers: HeaderSection, body: Range<Int>, depth: Int, path: String, defaultType: String, inRelated: Bool = false
    ) -> Extracted {
        let location = path.isEmpty ? "message body" : "part \(path)"
        let (contentType, readable) = Self.contentType(of: headers, fallback: defaultType)
        if !readable {
            warnings.add("unreadable Content-Type in \(location); treated as \(defaultType)")
        }
        guard contentType.type == "multipart" else {
            return leaf(headers: headers, body: body, contentType: contentType, location: location, inRelated: inRelated)
        }
        if depth >= limits.maximumDepth {
            if !reportedDepthLimit {
                warnings.add("multipart nesting deeper than \(limits.maximumDepth) levels at \(location); its content is ignored")
                reportedDepthLimit = true
            }
            return .empty
        }
        guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty else {
            warnings.add("multipart without boundary in \(location); body treated as text")
            return text(Array(bytes[body]), contentType: contentType, html: false, location: location)
        }
        guard let split = split(body, boundary: Array(boundary.utf8)) else {
            warnings.add("multipart boundary not found in \(location); body treated as text")
            return text(Array(bytes[body]), contentType: contentType, html: false, location: location)
        }
        if !split.closed {
            warnings.add("multipart boundary never closed in \(location)")
        }
        let childDefault = contentType.subtype == "digest" ? "message/rfc822" : "text/plain"
        var children: [Extracted] = []
        for (offset, range) in split.parts.enumerated() {
            partCount += 1
            if partCount > limits.maximumParts {
                if !reportedPartLimit {
                    warnings.add("more than \(limits.maximumParts) body parts; the rest are ignored")
                    reportedPartLimit = true
                }
                break
            }
            let childPath = path.isEmpty ? "\(offset + 1)" : "\(path).\(offset + 1)"
            let childHeaders = HeaderSection.parse(
                bytes, range: range, maximumBytes: limits.maximumHeaderBytes,
                location: "part \(childPath)", isBodyPart: true, warnings: &warnings
            )
            children.append(walk(
                headers: childHeaders, body: childHeaders.bodyStart..<range.upperBound,
                depth: depth + 1, path: childPath, defaultType: childDefault,
                inRelated: contentType.subtype == "related"
            ))
        }
        return contentType.subtype == "alternative" ? Self.chooseAlternative(children) : Self.combine(children)
    }

    /// Alternatives are ordered plainest first; plain text is preferred as the most faithful to what
    /// the customer typed, HTML reduced to text is the fallback.
    static func chooseAlternative(_ children: [Extracted]) -> Extracted {
        children.first { $0.source == .plain && !$0.text.isEmpty }
            ?? children.first { $0.source == .html && !$0.text.isEmpty }
            ?? children.first { $0.source != .none }
            ?? .empty
    }

    /// Inline text parts of mixed, related, report and unknown multiparts are read in order.
    static func combine(_ children: [Extracted]) -> Extracted {
        let texts = children.filter { $0.source != .none && !$0.text.isEmpty }
        guard !texts.isEmpty else { return children.first { $0.source != .none } ?? .empty }
        let source: TextSource = texts.contains { $0.source == .plain } ? .plain : .html
        return Extracted(text: texts.map(\.text).joined(separator: "\n\n"), source: source)
    }

    // MARK: Leaves

    private mutating func leaf(
        headers: HeaderSection, body: Range<Int>, contentType: ContentType, location: String, inRelated: Bool
    ) -> Extracted {
        let disposition = headers.value("content-disposition").map(ParameterizedValue.init)
        let dispositionType = disposition.flatMap { $0.value.isEmpty ? nil : $0.value }
        let filename = AttachmentNames.fileName(disposition?["filename"] ?? contentType.parameters["name"])
        let kind = Self.inlineKind(contentType)
        guard dispositionType == "attachment" || filename != nil || kind == nil else {
            let decoded = decodeTransfer(headers: headers, body: body, location: location)
            return text(decoded, contentType: contentType, html: kind == .html, location: location)
        }
        let content = decodeTransferData(headers: headers, body: body, location: location)
        let contentID = headers.value("content-id").flatMap(Self.contentID)
        var name = filename
        if name == nil, contentType.mediaType == "message/rfc822" {
            name = embeddedMessageName(content: content, body: body, identity: Self.isIdentity(headers))
        }
        attachments.append(MessageAttachment(
            name: name, contentType: contentType.mediaType, size: content.count,
            inline: dispositionType == "inline" || (dispositionType == nil && contentID != nil && inRelated),
            contentID: contentID, content: content
        ))
        return .empty
    }

    /// A Content-ID without its angle brackets and whitespace; nil when empty or holding controls.
    static func contentID(_ raw: String) -> String? {
        var value = Substring(ASCII.trimmed(raw))
        if value.hasPrefix("<"), let close = value.firstIndex(of: ">") {
            value = value[value.index(after: value.startIndex)..<close]
        }
        let id = String(value.unicodeScalars.filter { !ASCII.isSpace($0) })
        guard !id.isEmpty, !id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        return id
    }

    /// An attached message without a file name is named after its Subject, as mail clients save it.
    /// Only its header section is read: in place when the part is not transfer-encoded, else from the
    /// start of the decoded bytes, bounded by the header limit.
    private func embeddedMessageName(content: Data, body: Range<Int>, identity: Bool) -> String {
        var ignored = WarningLog()
        let subject: String?
        if identity {
            let headers = HeaderSection.parse(
                bytes, range: body, maximumBytes: limits.maximumHeaderBytes,
                location: "attached message", isBodyPart: false, warnings: &ignored)
            subject = headers.value("subject")
        } else {
            let head = [UInt8](content.prefix(limits.maximumHeaderBytes + 2))
            let headers = HeaderSection.parse(
                head, range: 0..<head.count, maximumBytes: limits.maximumHeaderBytes,
                location: "attached message", isBodyPart: false, warnings: &ignored)
            subject = headers.value("subject")
        }
        return AttachmentNames.messageFileName(subject: subject.map(EncodedWords.decode))
    }

    private enum InlineKind { case plain, html }

    /// Text parts are read inline unless they are structured data better handled as files.
    private static func inlineKind(_ contentType: ContentType) -> InlineKind? {
        guard contentType.type == "text" else { return nil }
        switch contentType.subtype {
        case "html", "xhtml+xml": return .html
        case "calendar", "rfc822-headers", "vcard", "x-vcard", "directory", "csv", "x-csv": return nil
        default: return .plain
        }
    }

    private static func transferEncoding(_ headers: HeaderSection) -> String {
        let raw = headers.value("content-transfer-encoding") ?? ""
        return ASCII.lowercased(raw.prefix { $0 != ";" && $0 != "(" }.filter { !$0.isWhitespace })
    }

    private static func isIdentity(_ headers: HeaderSection) -> Bool {
        ["", "7bit", "8bit", "binary"].contains(transferEncoding(headers))
    }

    private mutating func decodeTransfer(headers: HeaderSection, body: Range<Int>, location: String) -> [UInt8] {
        let encoding = Self.transferEncoding(headers)
        switch encoding {
        case "", "7bit", "8bit", "binary":
            return Array(bytes[body])
        case "quoted-printable":
            return TransferEncoding.decodeQuotedPrintable(bytes, in: body)
        case "base64":
            let decoded = TransferEncoding.decodeBase64(bytes, in: body)
            if decoded.invalid {
                warnings.add("invalid base64 in \(location); invalid characters skipped")
            }
            return decoded.bytes
        default:
            warnings.add("unsupported Content-Transfer-Encoding '\(WarningLog.token(encoding))' in \(location); body used as is")
            return Array(bytes[body])
        }
    }

    /// The same decoding as `decodeTransfer`, into the one `Data` an attachment keeps.
    private mutating func decodeTransferData(headers: HeaderSection, body: Range<Int>, location: String) -> Data {
        let encoding = Self.transferEncoding(headers)
        switch encoding {
        case "", "7bit", "8bit", "binary":
            return Data(bytes[body])
        case "quoted-printable":
            return TransferEncoding.decodeQuotedPrintableData(bytes, in: body)
        case "base64":
            let decoded = TransferEncoding.decodeBase64Data(bytes, in: body)
            if decoded.invalid {
                warnings.add("invalid base64 in \(location); invalid characters skipped")
            }
            return decoded.data
        default:
            warnings.add("unsupported Content-Transfer-Encoding '\(WarningLog.token(encoding))' in \(location); body used as is")
            return Data(bytes[body])
        }
    }

    private mutating func text(_ decoded: [UInt8], contentType: ContentType, html: Bool, location: String) -> Extracted {
        var charset = contentType.parameters["charset"].map(ASCII.trimmed)
        if charset?.isEmpty == true { charset = nil }
        if charset == nil, html, let declared = HTMLText.metaCharset(decoded), Charsets.isKnown(declared) {
            charset = declared
        }
        let string = decodeCharset(decoded, charset: charset, location: location)
        if html {
            return Extracted(text: PlainText.normalize(HTMLText.text(from: string)), source: .html)
        }
        let flowed = ASCII.lowercased(contentType.parameters["format"] ?? "") == "flowed"
        let deleteSpace = ASCII.lowercased(contentType.parameters["delsp"] ?? "") == "yes"
        return Extracted(text: PlainText.normalize(string, flowed: flowed, deleteSpace: deleteSpace), source: .plain)
    }

    private mutating func decodeCharset(_ decoded: [UInt8], charset: String?, location: String) -> String {
        guard let charset else {
            if decoded.allSatisfy({ $0 < 0x80 }) { return String(decoding: decoded, as: UTF8.self) }
            let utf8 = Charsets.decodeUTF8(decoded)
            if !utf8.hadErrors {
                warnings.add("no charset declared in \(location); decoded as UTF-8")
                return utf8.text
            }
            if let text = Charsets.decodeGB18030(decoded) {
                warnings.add("no charset declared in \(location); decoded as GB18030")
                return text
            }
            warnings.add("no charset declared in \(location) and the text is not UTF-8; decoded as UTF-8 with replacement")
            return utf8.text
        }
        let name = WarningLog.token(charset)
        guard let decoder = Charsets.decoder(for: charset), let result = Charsets.decodeReportingErrors(decoded, charset: charset) else {
            warnings.add("unknown charset '\(name)' in \(location); decoded as UTF-8 with replacement")
            return Charsets.decodeUTF8(decoded).text
        }
        if !result.hadErrors { return result.text }
        // Text labelled ASCII is often really 8-bit; the usual undeclared guesses apply.
        if decoder == .utf8, !ASCII.lowercased(charset).contains("utf"), let text = Charsets.decodeGB18030(decoded) {
            warnings.add("charset '\(name)' in \(location) does not match the text; decoded as GB18030")
            return text
        }
        warnings.add("invalid byte sequences for charset '\(name)' in \(location); replaced with U+FFFD")
        return result.text
    }

    // MARK: Multipart splitting

    /// The body parts between delimiter lines (`--boundary`, closed by `--boundary--`), or nil when no
    /// delimiter line occurs. A delimiter must fill its line apart from trailing whitespace, so a
    /// boundary that is a prefix of another never matches the other's lines.
    private func split(_ body: Range<Int>, boundary: [UInt8]) -> (parts: [Range<Int>], closed: Bool)? {
        var parts: [Range<Int>] = []
        var partStart: Int?
        var closed = false
        var position = body.lowerBound
        let end = body.upperBound
        let dash = UInt8(ascii: "-")
        while position < end {
            let newline = bytes.firstIndex(of: ASCII.lf, in: position..<end)
            let lineEnd = newline ?? end
            let next = newline.map { $0 + 1 } ?? end
            if lineEnd - position >= 2 + boundary.count, bytes[position] == dash, bytes[position + 1] == dash,
               bytes[(position + 2)..<(position + 2 + boundary.count)].elementsEqual(boundary) {
                var cursor = position + 2 + boundary.count
                var isClose = false
                if cursor + 1 < lineEnd, bytes[cursor] == dash, bytes[cursor + 1] == dash {
                    isClose = true
                    cursor += 2
                }
                if bytes[cursor..<lineEnd].allSatisfy({ $0 == ASCII.space || $0 == ASCII.tab || $0 == ASCII.cr }) {
                    if let start = partStart {
                        parts.append(start..<partEnd(before: position, start: start))
                    }
                    if isClose {
                        closed = true
                        partStart = nil
                        break
                    }
                    partStart = next
                }
            }
            position = next
        }
        if let start = partStart { parts.append(start..<end) }
        if parts.isEmpty && !closed && partStart == nil { return nil }
        return (parts, closed)
    }

    /// The line break before a delimiter belongs to the delimiter.
    private func partEnd(before delimiter: Int, start: Int) -> Int {
        var end = delimiter
        if end > start, bytes[end - 1] == ASCII.lf {
            end -= 1
            if end > start, bytes[end - 1] == ASCII.cr { end -= 1 }
        }
        return end
    }
}
