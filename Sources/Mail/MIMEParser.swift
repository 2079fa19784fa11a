import Foundation

/// Parses received RFC 5322 / MIME messages. Never fails and never traps: malformed input gives
/// best-effort fields plus `ParsedMail.warnings`, in time linear in the input size.
public struct MIMEParser: Sendable {
    /// The bounds applied to every message.
    public var limits: MIMELimits

    /// A parser with the given limits.
    public init(limits: MIMELimits = .init()) {
        self.limits = limits
    }

    /// Never throws: malformed input yields best-effort fields plus `warnings`.
    public func parse(_ data: Data) -> ParsedMail {
        let bytes = [UInt8](data)
        var warnings = WarningLog()
        if bytes.isEmpty { warnings.add("empty message") }
        let sanitized = MIMELimits(
            maximumDepth: max(0, limits.maximumDepth),
            maximumParts: max(0, limits.maximumParts),
            maximumHeaderBytes: max(0, limits.maximumHeaderBytes)
        )
        let top = HeaderSection.parse(
            bytes, range: 0..<bytes.count, maximumBytes: sanitized.maximumHeaderBytes,
            location: "message header", isBodyPart: false, warnings: &warnings
        )

        var walker = EntityWalker(bytes: bytes, limits: sanitized, warnings: warnings)
        let body = walker.walk(headers: top, body: top.bodyStart..<bytes.count, depth: 0, path: "", defaultType: "text/plain")

        var mail = ParsedMail(headers: top.fields)
        mail.subject = top.value("subject").map { ASCII.withoutControls(EncodedWords.decode($0)) }
        mail.from = addresses(top, "from").first
        mail.sender = addresses(top, "sender").first
        mail.replyTo = addresses(top, "reply-to")
        mail.to = addresses(top, "to")
        mail.cc = addresses(top, "cc")
        mail.messageID = top.value("message-id").flatMap { MessageIDs.parse($0).first }
        mail.inReplyTo = top.value("in-reply-to").map(MessageIDs.parse) ?? []
        mail.references = top.values("references").flatMap(MessageIDs.parse)
        if let rawDate = top.value("date") {
            mail.date = MailDate.parse(rawDate)
            if mail.date == nil { walker.warnings.add("unreadable Date field") }
        }
        mail.returnPath = top.value("return-path").map(Self.returnPath)
        mail.text = body.text
        mail.textSource = body.source
        mail.attachments = walker.attachments
        mail.warnings = walker.warnings.items
        return mail
    }

    private func addresses(_ headers: HeaderSection, _ name: String) -> [MailAddress] {
        headers.values(name).flatMap(MailAddressParser.parseList)
    }

    /// `<>` is the null return path (bounces and other automatic mail) and becomes "".
    static func returnPath(_ raw: String) -> String {
        if let open = raw.firstIndex(of: "<") {
            let rest = raw[raw.index(after: open)...]
            let inner = rest.firstIndex(of: ">").map { rest[..<$0] } ?? rest
            return String(inner.unicodeScalars.filter { !ASCII.isSpace($0) })
        }
        return MailAddressParser.parseList(raw).first?.address ?? ASCII.trimmed(raw)
    }
}
