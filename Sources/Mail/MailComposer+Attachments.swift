#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Messages with files: multipart/mixed with the text first, then each file as a base64 part named
/// both ways mail clients read names (RFC 2231 `filename*` and an RFC 2047 `name`), every header line
/// within 78 characters.
extension MailComposer {
    /// One body part: its header lines (each ending in CRLF) and its encoded body, ending in CRLF.
    struct Part {
        var header: String
        var body: Data
    }

    /// The message after its header section: each part after a delimiter line, then the close
    /// delimiter. A part's final CRLF belongs to the delimiter that follows it.
    static func multipartBody(head: String, parts: [Part], boundary: String) -> Data {
        var out = Data(head.utf8)
        out.reserveCapacity(head.utf8.count + parts.reduce(0) { $0 + $1.header.utf8.count + $1.body.count + boundary.utf8.count + 8 } + 8)
        for part in parts {
            out.append(contentsOf: Array("--\(boundary)\r\n".utf8))
            out.append(contentsOf: Array(part.header.utf8))
            out.append(contentsOf: [ASCII.cr, ASCII.lf])
            out.append(part.body)
        }
        out.append(contentsOf: Array("--\(boundary)--\r\n".utf8))
        return out
    }

    // MARK: Boundary

    /// A fresh random boundary that occurs in no part.
    ///
    /// It begins `=_`, which no part can contain: quoted-printable writes `=` only before two hex digits
    /// or a line end, base64 has neither `=` followed by `_` nor `_` at all, and the part headers are the
    /// composer's own ASCII. The parts are still searched, so a change to an encoder can never let a
    /// delimiter line appear inside a part.
    static func boundary(avoiding parts: [Part]) throws(MailCompositionError) -> String {
        for _ in 0..<4 {
            var generator = SystemRandomNumberGenerator()
            let random = (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }
                .map { String(repeating: "0", count: 16 - $0.count) + $0 }.joined()
            let candidate = "=_sb_" + random
            let needle = Array(candidate.utf8)
            let collides = parts.contains { part in
                occurs(needle, in: Data(part.header.utf8)) || occurs(needle, in: part.body)
            }
            if !collides { return candidate }
        }
        throw MailCompositionError(code: "boundary_collision", message: "no multipart boundary absent from the content was found")
    }

    /// Whether `needle` occurs in `haystack`; `memchr` finds the candidates for the first byte.
    static func occurs(_ needle: [UInt8], in haystack: Data) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        return haystack.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return false }
            let count = raw.count
            var offset = 0
            while offset + needle.count <= count,
                  let found = memchr(base + offset, Int32(first), count - offset - needle.count + 1) {
                let position = base.distance(to: UnsafeRawPointer(found))
                if memcmp(base + position, needle, needle.count) == 0 { return true }
                offset = position + 1
            }
            return false
        }
    }

    // MARK: Attachment parts

    static func attachmentPart(_ attachment: OutgoingMail.Attachment) -> Part {
        let name = AttachmentNames.sanitized(attachment.filename, separators: .replace) ?? "attachment"
        var type = HeaderFolder(name: "Content-Type")
        type.append(mediaType(attachment.contentType) + ";")
        for chunk in nameParameter(name) { type.append(chunk) }
        var disposition = HeaderFolder(name: "Content-Disposition")
        disposition.append("attachment;")
        for chunk in filenameParameters(name) { disposition.append(chunk) }
        let header = type.rendered + disposition.rendered + "Content-Transfer-Encoding: base64\r\n"
        var body = attachment.bytes.base64EncodedData(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        body.append(contentsOf: [ASCII.cr, ASCII.lf])
        return Part(header: header, body: body)
    }

    /// `type/subtype` lower-cased, with a `charset` parameter for text; anything that is not a plain
    /// media type (controls, spaces, missing parts, tspecials, over-long names) becomes
    /// application/octet-stream, and so do multipart and message types, which may not be sent in base64.
    static func mediaType(_ declared: String) -> String {
        let fallback = "application/octet-stream"
        guard !declared.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value >= 0x7F }) else { return fallback }
        let parsed = ParameterizedValue(declared)
        let pieces = parsed.value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard pieces.count == 2, pieces.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 127 && isToken($0) }) else { return fallback }
        if pieces[0] == "multipart" || pieces[0] == "message" { return fallback }
        var result = parsed.value
        if pieces[0] == "text", let charset = parsed["charset"], !charset.isEmpty, charset.utf8.count <= 40, isToken(charset) {
            result += "; charset=" + charset
        }
        return result
    }

    /// RFC 2045 token: printable ASCII without spaces and tspecials.
    private static func isToken(_ value: some StringProtocol) -> Bool {
        let tspecials = Set("()<>@,;:\\\"/[]?=".utf8)
        return value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !tspecials.contains($0) }
    }

    // MARK: File names

    /// Characters kept as they are in a plain ASCII file name; the rest of ASCII (quotes, `%`, `=`, `?`,
    /// `;`…) is what parameter parsers and file systems disagree on.
    private static let plainNameCharacters = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-_()+,&'!#$@^~[]{}".unicodeScalars)

    /// Names this short and plain are written as one quoted string on a header line of their own.
    private static let plainNameLimit = 60

    private static func isPlain(_ name: String) -> Bool {
        name.unicodeScalars.count <= plainNameLimit && name.unicodeScalars.allSatisfy(plainNameCharacters.contains)
    }

    /// The Content-Type `name` parameter older clients read: quoted when plain, else RFC 2047 encoded
    /// words inside the quotes, as every major mail client writes and reads them.
    static func nameParameter(_ name: String) -> [String] {
        if isPlain(name) { return ["name=\"\(name)\""] }
        // `name="` shares the first word's line, and the closing quote the last word's.
        var words = EncodedWords.encode(name, firstLimit: 68)
        words[0] = "name=\"" + words[0]
        words[words.count - 1] += "\""
        return words
    }

    /// The Content-Disposition parameters: `filename="…"` alone for a plain name; otherwise a plain
    /// ASCII fallback and the exact name in RFC 2231 `filename*`, split into `filename*0*`,
    /// `filename*1*`… when it does not fit one line.
    static func filenameParameters(_ name: String) -> [String] {
        if isPlain(name) { return ["filename=\"\(name)\""] }
        var chunks = ["filename=\"\(asciiFallback(name))\";"]
        let encoded = name.unicodeScalars.map(percentEncoded)
        let single = "filename*=UTF-8''" + encoded.joined()
        // A folded line holds a space and the chunk.
        if single.utf8.count <= HeaderFolder.lineLimit - 1 {
            chunks.append(single)
            return chunks
        }
        var segments: [String] = []
        var current = ""
        func prefix(_ number: Int) -> String { "filename*\(number)*=" + (number == 0 ? "UTF-8''" : "") }
        for scalar in encoded {
            // Room for the space before the chunk and the `;` after it.
            if !current.isEmpty, prefix(segments.count).utf8.count + current.utf8.count + scalar.utf8.count + 2 > HeaderFolder.lineLimit {
                segments.append(prefix(segments.count) + current + ";")
                current = ""
            }
            current += scalar
        }
        segments.append(prefix(segments.count) + current)
        return chunks + segments
    }

    /// RFC 2231 `attr-char`s as they are, every other UTF-8 byte as `%XX`; one scalar at a time, so
    /// segments split between scalars.
    private static func percentEncoded(_ scalar: Unicode.Scalar) -> String {
        let literal = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&+-.^_`|~".utf8)
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in String(scalar).utf8 {
            if literal.contains(byte) {
                out.append(byte)
            } else {
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The name for clients that read neither RFC 2231 nor encoded words: each other character becomes
    /// `_`, and a name with nothing readable left becomes `attachment` with the original extension.
    static func asciiFallback(_ name: String) -> String {
        var stem = name
        var suffix = ""
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            let candidate = name[name.index(after: dot)...]
            if !candidate.isEmpty, candidate.count <= 10, candidate.unicodeScalars.allSatisfy({ $0.isASCII && ASCII.isAlphanumeric(UInt8($0.value)) }) {
                stem = String(name[..<dot])
                suffix = "." + candidate
            }
        }
        var plain = String(String.UnicodeScalarView(stem.map { character -> Unicode.Scalar in
            guard character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first,
                  plainNameCharacters.contains(scalar) else { return "_" }
            return scalar
        }))
        if !plain.unicodeScalars.contains(where: { $0.isASCII && ASCII.isAlphanumeric(UInt8($0.value)) }) {
            plain = "attachment"
        }
        return String(plain.prefix(plainNameLimit - suffix.count)) + suffix
    }
}
