import Foundation
import SwitchboardCore
import Testing
@testable import Mail

private func replyWith(_ attachments: [OutgoingMail.Attachment], text: String = "Please find the invoice attached.\n\nSupport") -> OutgoingMail {
    OutgoingMail(
        from: MailAddress(name: "Switchboard Support", address: "support@switchboard.example"),
        to: [MailAddress(name: "陈喆", address: "chen.zhe@example.cn")],
        subject: "Re: 发票",
        messageID: "sb-2@switchboard.example",
        inReplyTo: "abc@example.cn",
        date: Date(timeIntervalSince1970: 1_795_341_600),
        extraHeaders: [MailHeader(name: "X-Loop", value: "support@switchboard.example")],
        text: text,
        attachments: attachments)
}

/// Every byte value, a PNG signature and lines that look like MIME delimiters and SMTP's end of data.
private let binary: Data = {
    var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    for round in 0..<40 { bytes += (0...255).map { UInt8(($0 + round) & 0xFF) } }
    bytes += Array("\r\n.\r\n--=_sb_\r\n".utf8)
    return Data(bytes)
}()

/// The rendered message's lines, without their CRLF.
private func lines(_ rendered: Data) -> [Substring] {
    String(decoding: rendered, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
}

/// The boundary the composer chose, read back from the top-level Content-Type.
private func boundary(of rendered: Data) throws -> String {
    let mail = MIMEParser().parse(rendered)
    let type = try #require(mail.header("Content-Type"))
    return try #require(ParameterizedValue(type)["boundary"])
}

@Suite("Mail composer: attachments")
struct AttachmentCompositionTests {
    @Test("files go out as multipart/mixed and parse back byte-exact, with Chinese names intact")
    func roundTrip() throws {
        let attachments = [
            OutgoingMail.Attachment(filename: "发票.pdf", contentType: "application/pdf", bytes: Data("%PDF-1.7\n%\u{FF}".utf8)),
            OutgoingMail.Attachment(filename: "photo of parcel.png", contentType: "image/png", bytes: binary),
            OutgoingMail.Attachment(filename: "empty.txt", contentType: "text/plain; charset=\"UTF-8\"", bytes: Data()),
            OutgoingMail.Attachment(filename: "Ελληνικά \"quoted\" 100%.csv", contentType: "Text/CSV", bytes: Data("a,b\n1,2\n".utf8)),
        ]
        let rendered = try MailComposer().render(replyWith(attachments))
        let parsed = MIMEParser().parse(rendered)
        #expect(parsed.warnings.isEmpty)
        #expect(parsed.subject == "Re: 发票")
        #expect(parsed.inReplyTo == ["abc@example.cn"])
        #expect(parsed.header("X-Loop") == "support@switchboard.example")
        #expect(parsed.text == "Please find the invoice attached.\n\nSupport")
        #expect(parsed.textSource == .plain)
        #expect(parsed.attachments.map(\.name) == ["发票.pdf", "photo of parcel.png", "empty.txt", "Ελληνικά \"quoted\" 100%.csv"])
        #expect(parsed.attachments.map(\.contentType) == ["application/pdf", "image/png", "text/plain", "text/csv"])
        #expect(parsed.attachments.map(\.content) == attachments.map(\.bytes))
        #expect(parsed.attachments.allSatisfy { !$0.inline })

        let text = String(decoding: rendered, as: UTF8.self)
        #expect(text.contains("\r\nContent-Type: multipart/mixed;"))
        #expect(text.contains("\r\nContent-Type: application/pdf; name=\"=?UTF-8?B?5Y+R56WoLnBkZg==?=\"\r\n"))
        #expect(text.contains("\r\nContent-Disposition: attachment; filename=\"attachment.pdf\";\r\n filename*=UTF-8''%E5%8F%91%E7%A5%A8.pdf\r\n"))
        #expect(text.contains("\r\nContent-Disposition: attachment; filename=\"photo of parcel.png\"\r\n"))
        #expect(text.contains("\r\nContent-Type: text/plain; charset=UTF-8; name=\"empty.txt\"\r\n"))
        #expect(lines(rendered).allSatisfy { $0.utf8.count <= 78 })
    }

    @Test("a long Chinese file name is split into RFC 2231 continuations; no line passes 78 characters")
    func longName() throws {
        let name = String(repeating: "客户投诉处理记录及发票扫描件", count: 6) + "（最终版）.pdf"
        let rendered = try MailComposer().render(replyWith([
            OutgoingMail.Attachment(filename: name, contentType: "application/pdf", bytes: binary),
        ]))
        let all = lines(rendered)
        #expect(all.allSatisfy { $0.utf8.count <= 78 })
        #expect(all.contains { $0.hasPrefix(" filename*0*=UTF-8''%E5%AE%A2") })
        #expect(all.contains { $0.hasPrefix(" filename*5*=") })
        let parsed = MIMEParser().parse(rendered)
        #expect(parsed.attachments.map(\.name) == [name])
        #expect(parsed.attachments.first?.content == binary)
    }

    @Test("the boundary is fresh each time and never occurs inside the content, even when the content imitates it")
    func boundaryCollision() throws {
        let decoy = "--=_sb_0123456789abcdef0123456789abcdef"
        let text = "\(decoy)\n--=_sb_\n=_ =_sb_ --\n-- \nSignature"
        let attachments = [
            OutgoingMail.Attachment(filename: "decoy.txt", contentType: "text/plain", bytes: Data("\(decoy)\r\n\(decoy)--\r\n".utf8)),
            OutgoingMail.Attachment(filename: "\(decoy).bin", contentType: "application/octet-stream", bytes: binary),
        ]
        let first = try MailComposer().render(replyWith(attachments, text: text))
        let second = try MailComposer().render(replyWith(attachments, text: text))
        let chosen = try boundary(of: first)
        #expect(chosen != (try boundary(of: second)))
        #expect(chosen.hasPrefix("=_sb_") && chosen.utf8.count == 37)
        // Exactly the delimiter lines: one per part and the close.
        let delimiters = lines(first).filter { $0.hasPrefix("--\(chosen)") }
        #expect(delimiters.count == 4)
        #expect(delimiters.last == "--\(chosen)--")
        // Elsewhere it appears only in the top-level Content-Type.
        #expect(String(decoding: first, as: UTF8.self).components(separatedBy: chosen).count - 1 == 5)

        let parsed = MIMEParser().parse(first)
        #expect(parsed.text == "\(decoy)\n--=_sb_\n=_ =_sb_ --\n-- \nSignature")
        #expect(parsed.attachments.map(\.content) == attachments.map(\.bytes))
        #expect(parsed.attachments.map(\.name) == ["decoy.txt", "\(decoy).bin"])
    }

    @Test("occurs finds a needle anywhere, including at the very end, and nothing that is not there")
    func occurs() {
        let haystack = Data("abc--=_sb_x".utf8)
        #expect(MailComposer.occurs(Array("--=_sb_x".utf8), in: haystack))
        #expect(MailComposer.occurs(Array("abc".utf8), in: haystack))
        #expect(!MailComposer.occurs(Array("--=_sb_y".utf8), in: haystack))
        #expect(!MailComposer.occurs(Array("abc--=_sb_xz".utf8), in: haystack))
        #expect(MailComposer.occurs(Array("sb".utf8), in: haystack.dropFirst(3)))
    }

    @Test("header injection through file names and types is neutralised")
    func injection() throws {
        let attachments = [
            OutgoingMail.Attachment(filename: "invoice.pdf\r\nBcc: victim@example.com\r\n", contentType: "application/pdf", bytes: Data("a".utf8)),
            OutgoingMail.Attachment(filename: "x.html", contentType: "text/html\r\nX-Injected: yes", bytes: Data("b".utf8)),
            OutgoingMail.Attachment(filename: "../../etc/passwd", contentType: "multipart/mixed; boundary=evil", bytes: Data("c".utf8)),
            OutgoingMail.Attachment(filename: "\u{0}\r\n", contentType: "image/png\"; name=\"evil.exe", bytes: Data("d".utf8)),
            OutgoingMail.Attachment(filename: "q\"uote\\d.txt", contentType: "message/rfc822", bytes: Data("e".utf8)),
            OutgoingMail.Attachment(filename: "report.pdf\u{202E}exe.scr", contentType: "no-slash", bytes: Data("f".utf8)),
        ]
        let rendered = try MailComposer().render(replyWith(attachments))
        let all = lines(rendered)
        #expect(!all.contains { $0.hasPrefix("Bcc:") || $0.hasPrefix("X-Injected:") })
        #expect(all.allSatisfy { !$0.contains("\u{0}") && !$0.contains("\r") })
        let parsed = MIMEParser().parse(rendered)
        #expect(parsed.header("Bcc") == nil)
        #expect(parsed.attachments.map(\.name) == [
            "invoice.pdfBcc: victim@example.com", "x.html", ".._.._etc_passwd", "attachment", "q\"uote_d.txt", "report.pdfexe.scr",
        ])
        #expect(parsed.attachments.map(\.contentType) == [
            "application/pdf", "application/octet-stream", "application/octet-stream", "application/octet-stream",
            "application/octet-stream", "application/octet-stream",
        ])
        #expect(parsed.attachments.map(\.content) == attachments.map(\.bytes))
    }

    @Test("media types: plain types pass lower-cased, text keeps a token charset, anything else is octet-stream")
    func mediaTypes() {
        #expect(MailComposer.mediaType("Application/PDF") == "application/pdf")
        #expect(MailComposer.mediaType("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            == "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        #expect(MailComposer.mediaType("text/plain; charset=gb18030; format=flowed") == "text/plain; charset=gb18030")
        #expect(MailComposer.mediaType("text/plain; charset=\"a b\"") == "text/plain")
        #expect(MailComposer.mediaType("image/png; name=x") == "image/png")
        #expect(MailComposer.mediaType("") == "application/octet-stream")
        #expect(MailComposer.mediaType("image/") == "application/octet-stream")
        #expect(MailComposer.mediaType("image/png/x") == "application/octet-stream")
        #expect(MailComposer.mediaType("图片/png") == "application/octet-stream")
        #expect(MailComposer.mediaType("image/p<n>g") == "application/octet-stream")
    }

    @Test("ASCII fallbacks keep the extension and what is readable")
    func fallbacks() {
        #expect(MailComposer.asciiFallback("发票.pdf") == "attachment.pdf")
        #expect(MailComposer.asciiFallback("invoice 发票 2026.pdf") == "invoice __ 2026.pdf")
        #expect(MailComposer.asciiFallback("50% off?.txt") == "50_ off_.txt")
        #expect(MailComposer.asciiFallback("没有扩展名") == "attachment")
        #expect(MailComposer.asciiFallback(String(repeating: "a", count: 100) + ".docx").utf8.count == 60)
    }

    @Test("without files the message stays a single text/plain part")
    func noAttachments() throws {
        let rendered = String(decoding: try MailComposer().render(replyWith([])), as: UTF8.self)
        #expect(rendered.contains("\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\nX-Loop: support@switchboard.example\r\n\r\nPlease find"))
        #expect(!rendered.contains("multipart"))
    }
}
