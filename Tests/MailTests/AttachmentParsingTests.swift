import Foundation
import SwitchboardCore
import Testing
@testable import Mail

/// A small PNG-shaped file: the signature, then every byte value, so any transfer-decoding slip shows.
private let pngBytes: Data = {
    var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    bytes += (0...255).map { UInt8($0) }
    bytes += [0x00, 0x0D, 0x0A, 0x2E, 0x0D, 0x0A, 0x49, 0x45, 0x4E, 0x44]
    return Data(bytes)
}()

/// A PDF-shaped file with CRLF line ends, so it can sit unencoded in a test message.
private let pdfBytes = Data("%PDF-1.4\r\n%\u{E2}\u{E3}\u{CF}\u{D3}\r\n1 0 obj << /Type /Catalog >> endobj\r\ntrailer << /Root 1 0 R >>\r\n%%EOF".utf8)

/// Base64 in 76-character CRLF lines, as mailers send it.
private func base64Lines(_ data: Data) -> String {
    data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
}

/// Parses a message written with `\n` line ends, sent as CRLF like real mail.
private func parse(_ message: String) -> ParsedMail {
    MIMEParser().parse(Data(message.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8))
}

@Suite("MIME parser: attachments")
struct AttachmentParsingTests {
    @Test("an inline PNG in multipart/related keeps its exact bytes, its Content-ID and inline; a PDF beside it is a plain attachment")
    func inlineImage() throws {
        let mail = parse("""
            Subject: photo
            Content-Type: multipart/mixed; boundary="outer"

            --outer
            Content-Type: multipart/related; boundary="rel"; type="text/html"

            --rel
            Content-Type: text/html; charset=utf-8

            <p>See the parcel: <img src="cid:parcel.1@example.com"></p>
            --rel
            Content-Type: image/png
            Content-ID:  < parcel.1@example.com >
            Content-Transfer-Encoding: base64

            \(base64Lines(pngBytes))
            --rel
            Content-Type: image/png
            Content-ID: <spare@example.com>
            Content-Disposition: attachment; filename="spare.png"
            Content-Transfer-Encoding: base64

            \(base64Lines(pngBytes))
            --rel--
            --outer
            Content-Type: image/png; name="loose.png"
            Content-ID: <loose@example.com>
            Content-Transfer-Encoding: base64

            \(base64Lines(pngBytes))
            --outer
            Content-Type: application/pdf
            Content-Disposition: inline; filename="scan.pdf"

            \(String(decoding: pdfBytes, as: UTF8.self))
            --outer--
            """)
        #expect(mail.text == "See the parcel:")
        #expect(mail.attachments.map(\.described) == [
            MessageAttachment(name: nil, contentType: "image/png", size: pngBytes.count, inline: true, contentID: "parcel.1@example.com"),
            // An explicit attachment disposition wins over the Content-ID.
            MessageAttachment(name: "spare.png", contentType: "image/png", size: pngBytes.count, contentID: "spare@example.com"),
            // A Content-ID outside multipart/related references nothing.
            MessageAttachment(name: "loose.png", contentType: "image/png", size: pngBytes.count, contentID: "loose@example.com"),
            MessageAttachment(name: "scan.pdf", contentType: "application/pdf", size: pdfBytes.count, inline: true),
        ])
        #expect(mail.attachments[0].content == pngBytes)
        #expect(mail.attachments[1].content == pngBytes)
        #expect(mail.attachments[2].content == pngBytes)
        #expect(mail.attachments[3].content == pdfBytes)
        #expect(mail.warnings.isEmpty)
    }

    @Test("Chinese file names: RFC 2231 in UTF-8 and GBK, continuations split inside a character, GB18030 encoded words and raw GBK")
    func chineseNames() throws {
        let encodedPDF = base64Lines(pdfBytes)
        let gbkRaw = Data([0xB1, 0xA8, 0xBC, 0xDB, 0xB5, 0xA5])
        var message = Data("""
            Content-Type: multipart/mixed; boundary=b\r
            \r
            --b\r
            Content-Type: application/pdf\r
            Content-Disposition: attachment; filename*=UTF-8''%E5%8F%91%E7%A5%A8.pdf\r
            Content-Transfer-Encoding: base64\r
            \r
            \(encodedPDF)\r
            --b\r
            Content-Type: application/pdf\r
            Content-Disposition: attachment; filename="fallback.pdf";\r
             filename*0*=utf-8'zh-CN'%E5%8F;\r
             filename*1*=%91%E7%A5%A8%20;\r
             filename*2="2026.pdf"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(encodedPDF)\r
            --b\r
            Content-Type: application/pdf; name="=?GB18030?B?lTKCNreixrEucGRm?="\r
            Content-Transfer-Encoding: base64\r
            \r
            \(encodedPDF)\r
            --b\r
            Content-Type: application/pdf\r
            Content-Disposition: attachment;\r
             filename="=?gb2312?B?t6LGsSAyMDI2IMTqIDMg?=\r
             =?gb2312?B?1MIucGRm?="\r
            Content-Transfer-Encoding: base64\r
            \r
            \(encodedPDF)\r
            --b\r
            Content-Type: application/pdf\r
            Content-Disposition: attachment; filename*=GBK''%B7%A2%C6%B1.pdf\r
            Content-Transfer-Encoding: base64\r
            \r
            \(encodedPDF)\r
            --b\r
            Content-Type: application/pdf\r
            Content-Disposition: attachment; filename="
            """.utf8)
        message.append(gbkRaw)
        message.append(Data(".pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\(encodedPDF)\r\n--b--\r\n".utf8))
        let mail = MIMEParser().parse(message)
        #expect(mail.attachments.map(\.name) == [
            "发票.pdf", "发票 2026.pdf", "𠀀发票.pdf", "发票 2026 年 3 月.pdf", "发票.pdf", "报价单.pdf",
        ])
        #expect(mail.attachments.allSatisfy { $0.content == pdfBytes && $0.contentType == "application/pdf" && !$0.inline })
    }

    @Test("a repeated continuation number keeps its first segment")
    func repeatedContinuation() {
        let value = ParameterizedValue("attachment; filename*0=\"a\"; filename*1=\"b\"; filename*1=\"x\"; filename*2=\"c.txt\"")
        #expect(value["filename"] == "abc.txt")
    }

    @Test("an attached message is one attachment holding exactly its bytes, named from its Subject; its text stays out of the body")
    func attachedMessage() throws {
        let inner = """
            From: Customer <c@example.com>\r
            Subject: =?UTF-8?B?6K6i5Y2VIDQy?= / delivery\r
            Content-Type: multipart/mixed; boundary=inner\r
            \r
            --inner\r
            Content-Type: text/plain\r
            \r
            inner secret text\r
            --inner\r
            Content-Type: application/pdf; name="inner.pdf"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(base64Lines(pdfBytes))\r
            --inner--
            """
        let message = """
            Subject: Fwd: order\r
            Content-Type: multipart/mixed; boundary=outer\r
            \r
            --outer\r
            Content-Type: text/plain\r
            \r
            Forwarding the customer's message.\r
            --outer\r
            Content-Type: message/rfc822\r
            \r
            \(inner)\r
            --outer\r
            Content-Type: message/rfc822\r
            Content-Disposition: attachment; filename="original.eml"\r
            \r
            \(inner)\r
            --outer\r
            Content-Type: message/rfc822\r
            Content-Transfer-Encoding: base64\r
            \r
            \(base64Lines(Data("Subject: encoded\r\n\r\nbody".utf8)))\r
            --outer\r
            Content-Type: message/rfc822\r
            \r
            X-Nothing: here\r
            \r
            body\r
            --outer--\r
            """
        let mail = MIMEParser().parse(Data(message.utf8))
        #expect(mail.text == "Forwarding the customer's message.")
        #expect(mail.attachments.map(\.name) == ["订单 42 _ delivery.eml", "original.eml", "encoded.eml", "message.eml"])
        #expect(mail.attachments.allSatisfy { $0.contentType == "message/rfc822" })
        #expect(mail.attachments[0].content == Data(inner.utf8))
        #expect(mail.attachments[1].content == Data(inner.utf8))
        #expect(mail.attachments[2].content == Data("Subject: encoded\r\n\r\nbody".utf8))
        #expect(mail.attachments.allSatisfy { $0.size == $0.content?.count })
    }

    @Test("quoted-printable and 8-bit attachments decode to their exact bytes")
    func transferEncodings() {
        let mail = MIMEParser().parse(Data("""
            Content-Type: multipart/mixed; boundary=b\r
            \r
            --b\r
            Content-Type: text/csv; charset=utf-8; name="data.csv"\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            id,name=0D=0A1,=E5=BC=A0=\r
            \u{20}three  \r
            --b\r
            Content-Type: application/octet-stream; name="raw.bin"\r
            Content-Transfer-Encoding: 8bit\r
            \r
            \u{7F}binary\r
            --b--\r
            """.utf8))
        #expect(mail.attachments.map(\.content) == [Data("id,name\r\n1,张 three".utf8), Data("\u{7F}binary".utf8)])
    }

    @Test("received file names lose directories, controls and direction overrides")
    func unsafeNames() {
        let mail = parse("""
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: application/pdf; name="C:\\\\Users\\\\li\\\\Desktop\\\\scan.pdf"

            x
            --b
            Content-Type: application/octet-stream
            Content-Disposition: attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe

            x
            --b
            Content-Type: application/octet-stream
            Content-Disposition: attachment; filename*=UTF-8''a%0D%0Ab%00c.txt

            x
            --b
            Content-Type: application/octet-stream
            Content-Disposition: attachment; filename*=UTF-8''..%2F..%2F

            x
            --b--
            """)
        #expect(mail.attachments.map(\.name) == ["scan.pdf", "invoicefdp.exe", "abc.txt", nil])
    }
}
