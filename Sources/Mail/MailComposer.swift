import Foundation

/// Renders `OutgoingMail` as an RFC 5322 message: CRLF line endings, folded headers, RFC 2047
/// encoded words for non-ASCII subjects and names, and a UTF-8 text/plain body in quoted-printable
/// or base64. Every header input is checked so no caller-supplied value can inject a header line.
public struct MailComposer: Sendable {
    /// A composer; it holds no state.
    public init() {}

    /// The RFC 5322 message with CRLF line endings, ready for SMTP DATA (dot-stuffing is left to the
    /// SMTP client).
    public func render(_ mail: OutgoingMail) throws(MailCompositionError) -> Data {
        try validate(mail)
        var head = "Date: " + MailDate.format(mail.date) + "\r\n"
        head += addressField("From", [mail.from])
        if !mail.to.isEmpty { head += addressField("To", mail.to) }
        if !mail.cc.isEmpty { head += addressField("Cc", mail.cc) }
        if !mail.replyTo.isEmpty { head += addressField("Reply-To", mail.replyTo) }
        head += unstructuredField("Subject", mail.subject)
        head += "Message-ID: <\(Self.bare(mail.messageID))>\r\n"
        if let parent = mail.inReplyTo {
            head += "In-Reply-To: <\(Self.bare(parent))>\r\n"
        }
        if !mail.references.isEmpty {
            var folder = HeaderFolder(name: "References")
            for id in mail.references { folder.append("<\(Self.bare(id))>") }
            head += folder.rendered
        }
        head += "MIME-Version: 1.0\r\n"

        let textPart = Self.textPart(Self.normalizedLines(mail.text))
        guard !mail.attachments.isEmpty else {
            head += textPart.header
            for header in mail.extraHeaders {
                head += unstructuredField(header.name, header.value)
            }
            head += "\r\n"
            return Data(head.utf8) + Data(textPart.body)
        }
        var parts = [Part(header: textPart.header, body: Data(textPart.body))]
        for attachment in mail.attachments { parts.append(Self.attachmentPart(attachment)) }
        let boundary = try Self.boundary(avoiding: parts)
        var folder = HeaderFolder(name: "Content-Type")
        folder.append("multipart/mixed;")
        folder.append("boundary=\"\(boundary)\"")
        head += folder.rendered
        for header in mail.extraHeaders {
            head += unstructuredField(header.name, header.value)
        }
        head += "\r\n"
        return Self.multipartBody(head: head, parts: parts, boundary: boundary)
    }

    /// The text/plain part's header lines (Content-Type and Content-Transfer-Encoding) and body.
    private static func textPart(_ text: [UInt8]) -> (header: String, body: [UInt8]) {
        let header = "Content-Type: text/plain; charset=UTF-8\r\n"
        let nonASCII = text.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
        // Quoted-printable keeps mostly-ASCII text readable on the wire; past about a fifth of
        // non-ASCII bytes it grows larger than base64.
        if nonASCII * 5 <= text.count {
            return (header + "Content-Transfer-Encoding: quoted-printable\r\n", TransferEncoding.encodeQuotedPrintable(text))
        }
        return (header + "Content-Transfer-Encoding: base64\r\n", base64Lines(crlf(text)))
    }

    /// Validates an envelope address for SMTP (no CR/LF/NUL, no spaces or <>, exactly one @,
    /// non-empty local part and domain, ≤ 254 bytes).
    public func validateEnvelopeAddress(_ address: String) throws(MailCompositionError) {
        if Self.hasLineBreak(address) {
            throw MailCompositionError(code: "invalid_address", message: "envelope address contains a line break or NUL")
        }
        if let problem = Self.addressProblem(address) {
            throw MailCompositionError(code: "invalid_address", message: "envelope address \(problem)")
        }
    }

    // MARK: Validation

    private func validate(_ mail: OutgoingMail) throws(MailCompositionError) {
        if mail.to.isEmpty && mail.cc.isEmpty {
            throw MailCompositionError(code: "no_recipients", message: "the message has no To or Cc recipient")
        }
        try Self.checkLineBreaks(mail.subject, field: "Subject")
        try Self.checkAddresses([mail.from], field: "From")
        try Self.checkAddresses(mail.to, field: "To")
        try Self.checkAddresses(mail.cc, field: "Cc")
        try Self.checkAddresses(mail.replyTo, field: "Reply-To")
        try Self.checkMessageID(mail.messageID, field: "Message-ID", requireAt: true)
        if let parent = mail.inReplyTo { try Self.checkMessageID(parent, field: "In-Reply-To", requireAt: false) }
        for id in mail.references { try Self.checkMessageID(id, field: "References", requireAt: false) }
        for (index, header) in mail.extraHeaders.enumerated() {
            if Self.hasLineBreak(header.name) {
                throw MailCompositionError(code: "header_line_break", message: "the name of extra header \(index + 1) contains a line break or NUL")
            }
            guard !header.name.isEmpty, header.name.utf8.allSatisfy({ $0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: ":") }) else {
                throw MailCompositionError(code: "invalid_header_name", message: "the name of extra header \(index + 1) is not printable ASCII without spaces and colons")
            }
            if Self.reserved.contains(ASCII.lowercased(header.name)) {
                throw MailCompositionError(code: "reserved_header", message: "\(header.name) is written by the composer and cannot be an extra header")
            }
            try Self.checkLineBreaks(header.value, field: header.name)
        }
    }

    private static let reserved: Set<String> = [
        "date", "from", "to", "cc", "bcc", "reply-to", "subject", "message-id", "in-reply-to", "references",
        "mime-version", "content-type", "content-transfer-encoding",
    ]

    private static func hasLineBreak(_ value: String) -> Bool {
        value.utf8.contains { $0 == ASCII.cr || $0 == ASCII.lf || $0 == 0 }
    }

    private static func checkLineBreaks(_ value: String, field: String) throws(MailCompositionError) {
        if hasLineBreak(value) {
            throw MailCompositionError(code: "header_line_break", message: "\(field) contains a line break or NUL")
        }
    }

    private static func checkAddresses(_ addresses: [MailAddress], field: String) throws(MailCompositionError) {
        for address in addresses {
            if let name = address.name { try checkLineBreaks(name, field: "\(field) display name") }
            try checkLineBreaks(address.address, field: "\(field) address")
            if let problem = addressProblem(address.address) {
                throw MailCompositionError(code: "invalid_address", message: "\(field) address \(problem)")
            }
        }
    }

    /// What is wrong with an address, phrased to follow "<field> address", or nil.
    private static func addressProblem(_ address: String) -> String? {
        let bytes = Array(address.utf8)
        if bytes.isEmpty { return "is empty" }
        if bytes.count > 254 { return "is longer than 254 bytes" }
        let forbidden: Set<UInt8> = Set(" \t<>,;()\"\\".utf8)
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F || forbidden.contains($0) }) {
            return "contains spaces, angle brackets, control characters or list separators"
        }
        let ats = bytes.indices.filter { bytes[$0] == UInt8(ascii: "@") }
        guard ats.count == 1, let at = ats.first else { return "must contain exactly one @" }
        if at == 0 { return "has an empty local part" }
        if at == bytes.count - 1 { return "has an empty domain" }
        return nil
    }

    private static func checkMessageID(_ id: String, field: String, requireAt: Bool) throws(MailCompositionError) {
        try checkLineBreaks(id, field: field)
        let value = bare(id)
        // UTF-8 is allowed (RFC 6532), so every id MIMEParser returns can be cited back.
        let printable = value.utf8.allSatisfy { ($0 >= 33 && $0 != 0x7F) && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
        guard !value.isEmpty, printable, !requireAt || value.contains("@") else {
            throw MailCompositionError(code: "invalid_message_id", message: "\(field) must have no spaces, control characters or angle brackets" + (requireAt ? " and must contain @" : ""))
        }
    }

    /// Ids are stored without brackets; a caller passing `<id>` gets the same result.
    private static func bare(_ id: String) -> String {
        var value = Substring(id)
        if value.hasPrefix("<") && value.hasSuffix(">") && value.count >= 2 { value = value.dropFirst().dropLast() }
        return String(value)
    }

    // MARK: Header rendering

    private func addressField(_ name: String, _ addresses: [MailAddress]) -> String {
        var folder = HeaderFolder(name: name)
        for (index, address) in addresses.enumerated() {
            let separator = index == addresses.count - 1 ? "" : ","
            let displayName = address.name.map(ASCII.trimmed) ?? ""
            if displayName.isEmpty {
                folder.append(address.address + separator)
            } else {
                // The first name shares its line with the field name, so its first encoded word is shorter.
                let firstLimit = index == 0 ? HeaderFolder.lineLimit - name.utf8.count - 2 : 75
                for chunk in Self.phraseChunks(displayName, firstLimit: firstLimit) { folder.append(chunk) }
                folder.append("<" + address.address + ">" + separator)
            }
        }
        return folder.rendered
    }

    /// A display name as atoms when it is plain, as one quoted string when it has specials, and as
    /// encoded words when it is not ASCII (or could be mistaken for encoded words).
    private static func phraseChunks(_ name: String, firstLimit: Int) -> [String] {
        if needsEncoding(name) { return EncodedWords.encode(name, firstLimit: firstLimit) }
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~".utf8)
        let words = name.split(separator: " ", omittingEmptySubsequences: false)
        if words.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(atext.contains) }) {
            return words.map(String.init)
        }
        var quoted = "\""
        for character in name {
            if character == "\"" || character == "\\" { quoted += "\\" }
            quoted.append(character)
        }
        return [quoted + "\""]
    }

    private func unstructuredField(_ name: String, _ value: String) -> String {
        var folder = HeaderFolder(name: name)
        if Self.needsEncoding(value) {
            let firstLimit = max(24, HeaderFolder.lineLimit - name.utf8.count - 2)
            for word in EncodedWords.encode(value, firstLimit: firstLimit) { folder.append(word) }
        } else {
            for piece in value.split(separator: " ", omittingEmptySubsequences: false) { folder.append(String(piece)) }
        }
        return folder.rendered
    }

    /// Non-ASCII, control characters, text a decoder would take for encoded words, and words too
    /// long for a header line all go out as encoded words.
    private static func needsEncoding(_ value: String) -> Bool {
        if value.contains("=?") { return true }
        if value.utf8.contains(where: { $0 >= 0x7F || ($0 < 0x20 && $0 != ASCII.tab) }) { return true }
        return value.split(separator: " ").contains { $0.utf8.count > 900 }
    }

    // MARK: Body

    /// The text's UTF-8 bytes with every line ending as a single LF.
    private static func normalizedLines(_ text: String) -> [UInt8] {
        PlainText.lineFeedsOnly(Array(text.utf8)[...])
    }

    private static func crlf(_ lines: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(lines.count + lines.count / 20)
        for byte in lines {
            if byte == ASCII.lf { out.append(ASCII.cr) }
            out.append(byte)
        }
        return out
    }

    /// Base64 in lines of 76 characters, each ended by CRLF.
    private static func base64Lines(_ bytes: [UInt8]) -> [UInt8] {
        let encoded = Array(Data(bytes).base64EncodedString().utf8)
        var out: [UInt8] = []
        out.reserveCapacity(encoded.count + encoded.count / 38 + 2)
        var index = 0
        while index < encoded.count {
            let end = min(index + 76, encoded.count)
            out.append(contentsOf: encoded[index..<end])
            out.append(contentsOf: [ASCII.cr, ASCII.lf])
            index = end
        }
        if out.isEmpty { out = [ASCII.cr, ASCII.lf] }
        return out
    }
}
