import Foundation
import SwitchboardCore
import TestSupport
import Testing
@testable import Mail

/// Reads a sample message from `Tests/Fixtures/mail`.
private func parserFixture(_ name: String) throws -> Data {
    try MailFixtures.data(name)
}

private func parseFixture(_ name: String) throws -> ParsedMail {
    MIMEParser().parse(try parserFixture(name))
}

extension MessageAttachment {
    /// The attachment as recorded, without its bytes, for comparing the description alone.
    var described: MessageAttachment {
        var copy = self
        copy.content = nil
        return copy
    }
}

/// Parses a message written with `\n` line ends, sent as CRLF like real mail.
private func parseCRLF(_ message: String) -> ParsedMail {
    MIMEParser().parse(Data(message.replacingOccurrences(of: "\n", with: "\r\n").utf8))
}

@Suite("MIME parser: fixtures")
struct MIMEParserFixtureTests {
    @Test("a GBK complaint labelled gb2312 decodes subject, sender and body, GBK-only characters included")
    func gbkComplaint() throws {
        let mail = try parseFixture("gbk-complaint.eml")
        #expect(mail.subject == "投诉：朱镕基路店的订单一直没有发货")
        #expect(mail.from == MailAddress(name: "陈喆", address: "chen.zhe@example.cn"))
        #expect(mail.to == [MailAddress(address: "support@switchboard.example")])
        #expect(mail.messageID == "20261122100000.4242@mail.example.cn")
        #expect(mail.date == Date(timeIntervalSince1970: 1_795_312_800))
        #expect(mail.returnPath == "chen.zhe@example.cn")
        #expect(mail.textSource == .plain)
        #expect(mail.text == """
            您好：

            我在贵公司朱镕基路店购买的商品（订单号 20261122-0042）已经十天了还没有发货，客服电话一直打不通。
            请尽快处理，否则我将向消费者协会投诉。

            陈喆
            """)
        #expect(mail.attachments.isEmpty)
        #expect(mail.warnings.isEmpty)
        #expect(mail.automaticReason == nil)
        #expect(mail.headers(named: "received").count == 1)
        #expect(mail.header("received")?.contains("\n") == false)
    }

    @Test("a Big5 HTML-only message is reduced to text without head, style, script or comments")
    func big5HTML() throws {
        let mail = try parseFixture("big5-html.eml")
        #expect(mail.subject == "訂單查詢")
        #expect(mail.from?.name == "陳大文")
        #expect(mail.to == [MailAddress(name: "Support", address: "support@switchboard.example")])
        #expect(mail.textSource == .html)
        #expect(mail.text == """
            您好，

            我的訂單還沒有收到，請幫忙查詢。
            訂單編號： TW-8812

            謝謝！& 祝好
            """)
        #expect(mail.warnings.isEmpty)
    }

    @Test("multipart/alternative picks the plain part and addresses keep quoted commas and comment names")
    func alternative() throws {
        let mail = try parseFixture("multipart-alternative.eml")
        #expect(mail.textSource == .plain)
        #expect(mail.text == """
            Hello team,

            My order #5521 arrived damaged. The box was crushed and the mug inside is broken into pieces.
            Could you send a replacement?

            Thanks,
            Alice
            """)
        #expect(mail.from == MailAddress(name: "Alice Example", address: "alice@example.com"))
        #expect(mail.to == [
            MailAddress(address: "support@switchboard.example"),
            MailAddress(name: "Ops, Team", address: "ops@switchboard.example"),
        ])
        #expect(mail.cc == [MailAddress(name: "Bob", address: "bob@example.com")])
        #expect(mail.date == Date(timeIntervalSince1970: 1_795_529_700))
        #expect(mail.attachments.isEmpty)
        #expect(mail.warnings.isEmpty)
    }

    @Test("mixed → alternative → related with a PDF: plain text, inline image and attachment with RFC 2231 names")
    func nestedMixed() throws {
        let mail = try parseFixture("nested-mixed-with-attachment.eml")
        #expect(mail.subject == "发票 invoice")
        #expect(mail.from?.name == "张三")
        #expect(mail.textSource == .plain)
        #expect(mail.text == "请查收附件中的发票。\n图片在 HTML 版本里。")
        #expect(mail.attachments.map(\.described) == [
            MessageAttachment(name: "图片.png", contentType: "image/png", size: 774, inline: true, contentID: "img1@example.com"),
            MessageAttachment(name: "发票 2026.pdf", contentType: "application/pdf", size: 1216),
        ])
        #expect(mail.attachments.map { $0.content?.count } == [774, 1216])
        // The fixture's image is every byte value three times, then "PNGEND".
        #expect(mail.attachments.first?.content == Data((0..<768).map { UInt8(truncatingIfNeeded: $0) }) + Data("PNGEND".utf8))
        #expect(mail.warnings.isEmpty)
    }

    @Test("a reply carries In-Reply-To and folded References in order; LF line ends and format=flowed are handled")
    func replyWithReferences() throws {
        let mail = try parseFixture("reply-with-references.eml")
        #expect(mail.subject == "Re: [#1042] Refund status")
        #expect(mail.messageID == "reply-3@example.org")
        #expect(mail.inReplyTo == ["sb-out-2@switchboard.example"])
        #expect(mail.references == ["original-1@example.org", "sb-out-1@switchboard.example", "sb-out-2@switchboard.example"])
        #expect(mail.header("References") == "<original-1@example.org> <sb-out-1@switchboard.example>\t<sb-out-2@switchboard.example>")
        #expect(mail.text == """
            Thanks, but I still have not received the refund. It has been two weeks.

            On Wed, 25 Nov 2026, Support wrote:
            > We have issued your refund. It should arrive within 5 business days.
            """)
        #expect(mail.automaticReason == nil)
    }

    @Test("an out-of-office reply is recognised as automatic")
    func autoReply() throws {
        let mail = try parseFixture("auto-reply.eml")
        #expect(mail.automaticReason == "Auto-Submitted header is present and not \"no\"")
        #expect(mail.text == "I am out of the office until Monday.")
    }

    @Test("a DSN bounce: null Return-Path, report parts as attachments, human-readable text kept")
    func bounce() throws {
        let mail = try parseFixture("bounce.eml")
        #expect(mail.returnPath == "")
        #expect(mail.automaticReason == "Return-Path is null (<>)")
        #expect(mail.from?.address == "MAILER-DAEMON@mx.example.net")
        #expect(mail.text.hasPrefix("This is the mail system at host mx.example.net.\n\nI'm sorry"))
        #expect(mail.attachments.map(\.contentType) == ["message/delivery-status", "message/rfc822"])
        #expect(mail.attachments.map(\.name) == [nil, "Your ticket.eml"])
        #expect(mail.attachments.allSatisfy { $0.size > 0 && $0.content?.count == $0.size })
        #expect(mail.warnings.isEmpty)
    }

    @Test("an unterminated multipart keeps both parts and warns")
    func unterminatedBoundary() throws {
        let mail = try parseFixture("malformed-unterminated-boundary.eml")
        #expect(mail.text == "First part.\n\nSecond part, cut off before the closing boundary.")
        #expect(mail.warnings == ["multipart boundary never closed in message body"])
    }

    @Test("invalid base64 characters and missing padding are skipped with a warning")
    func invalidBase64() throws {
        let mail = try parseFixture("malformed-invalid-base64.eml")
        #expect(mail.text == "Order 7781 never arrived. Please help!")
        #expect(mail.warnings == ["invalid base64 in message body; invalid characters skipped"])
    }

    @Test("an unknown charset is read as UTF-8 with a warning naming the charset and the part")
    func unknownCharset() throws {
        let mail = try parseFixture("malformed-unknown-charset.eml")
        #expect(mail.text == "Known part.\n\nCafé part.")
        #expect(mail.warnings == ["unknown charset 'x-foo' in part 2; decoded as UTF-8 with replacement"])
    }

    @Test("a header line without a colon is skipped with a warning; later fields still parse")
    func headerWithoutColon() throws {
        let mail = try parseFixture("malformed-header-no-colon.eml")
        #expect(mail.subject == "Still parsed")
        #expect(mail.messageID == "nocolon@example.com")
        #expect(mail.text == "Body survives.")
        #expect(mail.headers.map(\.name) == ["From", "To", "Subject", "Message-ID"])
        #expect(mail.warnings == ["header line 3 of message header has no field name and colon; skipped"])
    }

    @Test("a message cut off inside its header keeps the complete fields and warns")
    func truncatedHeader() throws {
        let mail = try parseFixture("malformed-truncated-header.eml")
        #expect(mail.subject == "Cut off")
        #expect(mail.from?.address == "ivan@example.com")
        #expect(mail.text == "")
        #expect(mail.textSource == .plain)
        #expect(mail.warnings == [
            "header line 4 of message header has no field name and colon; skipped",
            "message header is not followed by an empty line; the message has no body",
        ])
    }
}

@Suite("MIME parser: headers and encoded words")
struct MIMEParserHeaderTests {
    @Test("folded values are unfolded keeping whitespace; lookups are case-insensitive; bare LF equals CRLF")
    func unfolding() {
        let message = "Subject: first\n  second\n\tthird\nX-Empty:\nX-Dup: a\nx-dup: b\n\nbody\n"
        let lf = MIMEParser().parse(Data(message.utf8))
        let crlf = parseCRLF(message)
        #expect(lf.header("SUBJECT") == "first  second\tthird")
        #expect(lf.header("x-empty") == "")
        #expect(lf.headers(named: "X-DUP") == ["a", "b"])
        #expect(lf.header("missing") == nil)
        #expect(lf.headers == crlf.headers)
        #expect(lf.text == "body" && crlf.text == "body")
    }

    @Test("RFC 2047: adjacent words join, text between words keeps its spaces, Q underscores are spaces")
    func encodedWords() {
        #expect(EncodedWords.decode("=?UTF-8?B?5L2g?= =?UTF-8?B?5aW9?=") == "你好")
        #expect(EncodedWords.decode("=?UTF-8?B?5L2g?=\r\n =?UTF-8?Q?=E5=A5=BD?=") == "你好")
        #expect(EncodedWords.decode("Re: =?utf-8?q?caf=C3=A9_au_lait?= now") == "Re: café au lait now")
        #expect(EncodedWords.decode("=?ISO-8859-1?Q?Andr=E9?= Pirard") == "André Pirard")
        #expect(EncodedWords.decode("=?utf-8*en?Q?hi?=") == "hi")
        #expect(EncodedWords.decode("plain text") == "plain text")
    }

    @Test("line breaks and NUL smuggled in through encoded words never reach the subject or a display name")
    func decodedControls() {
        let mail = parseCRLF("Subject: =?utf-8?Q?a=0D=0ABcc:_x=00y?=\tz\nFrom: =?utf-8?B?QQ1C?= <a@b.example>\n\n")
        #expect(mail.subject == "a  Bcc: x y\tz")
        #expect(mail.from?.name == "A B")
    }

    @Test("a GBK character split across two encoded words survives")
    func splitCharacter() {
        let bytes: [UInt8] = [0xCD, 0xB6, 0xCB, 0xDF]  // 投诉 in GBK
        let first = Data(bytes[0..<3]).base64EncodedString()
        let second = Data(bytes[3...]).base64EncodedString()
        #expect(EncodedWords.decode("=?gbk?B?\(first)?= =?GBK?B?\(second)?=") == "投诉")
    }

    @Test("malformed encoded words are left as written")
    func malformedWords() {
        for raw in ["=?utf-8?X?abc?=", "=?utf-8?B?abc", "=??B?abc?=", "=?utf-8?Q?a b?=", "=?", "a =? b ?= c", "=?=?=?"] {
            #expect(EncodedWords.decode(raw) == raw)
        }
        #expect(EncodedWords.decode("=?x-unknown?Q?abc?=") == "abc")
    }

    @Test("a raw GBK header is decoded as GB18030 with a warning naming the field")
    func rawEightBitHeader() {
        var data = Data("Subject: ".utf8)
        data.append(contentsOf: [0xC4, 0xE3, 0xBA, 0xC3])
        data.append(Data("\r\n\r\nbody".utf8))
        let mail = MIMEParser().parse(data)
        #expect(mail.subject == "你好")
        #expect(mail.warnings == ["8-bit Subject field in message header is not UTF-8; decoded as GB18030"])
    }

    @Test("Message-ID, In-Reply-To and Return-Path edge cases")
    func identifiers() {
        let mail = parseCRLF("Message-ID: <>\nIn-Reply-To: <a@x> (from Bob) <b@y>\nReturn-Path: < >\n\n")
        #expect(mail.messageID == nil)
        #expect(mail.inReplyTo == ["a@x", "b@y"])
        #expect(mail.returnPath == "")
        let bare = parseCRLF("Message-ID: abc@example.com\nReturn-Path: <bounce+x@example.com>\n\n")
        #expect(bare.messageID == "abc@example.com")
        #expect(bare.returnPath == "bounce+x@example.com")
        #expect(parseCRLF("Subject: x\n\n").returnPath == nil)
    }

    @Test("dates: RFC 5322, obsolete zones, comments, two-digit years, asctime order; garbage is nil with a warning")
    func dates() {
        let cases: [(String, TimeInterval?)] = [
            ("Sun, 22 Nov 2026 10:00:00 +0000", 1_795_341_600),
            ("22 Nov 2026 18:00:00 +0800 (CST)", 1_795_341_600),
            ("Sun, 22 Nov 2026 05:00 EST", 1_795_341_600),
            ("Sun,22 Nov 26 10:00:00 GMT", 1_795_341_600),
            ("Sun Nov 22 10:00:00 2026", 1_795_341_600),
            ("Tue, 29 Feb 2000 23:59:59 -0000", 951_868_799),
            ("Fri, 31 Dec 99 23:59:59 UT", 946_684_799),
            ("31 Feb 2026 10:00:00 +0000", nil),
            ("yesterday", nil),
            ("", nil),
        ]
        for (raw, expected) in cases {
            #expect(MailDate.parse(raw) == expected.map { Date(timeIntervalSince1970: $0) }, "\(raw)")
        }
        let mail = parseCRLF("Date: not a date\n\nx")
        #expect(mail.date == nil)
        #expect(mail.warnings == ["unreadable Date field"])
    }

    @Test("outgoing Date fields are written in UTC and read back to the same second")
    func dateFormat() {
        #expect(MailDate.format(Date(timeIntervalSince1970: 1_795_341_600.7)) == "Sun, 22 Nov 2026 10:00:00 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: 951_868_799)) == "Tue, 29 Feb 2000 23:59:59 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: -5)) == "Thu, 1 Jan 1970 00:00:00 +0000")
        var random = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let seconds = Double(Int.random(in: 0...253_402_300_799, using: &random))
            #expect(MailDate.parse(MailDate.format(Date(timeIntervalSince1970: seconds))) == Date(timeIntervalSince1970: seconds))
        }
    }
}

@Suite("MIME parser: addresses")
struct MailAddressParserTests {
    @Test("address lists: quoted, encoded, commented, grouped, bare and angle forms")
    func lists() {
        let cases: [(String, [MailAddress])] = [
            ("a@b.example", [MailAddress(address: "a@b.example")]),
            ("<a@b.example>", [MailAddress(address: "a@b.example")]),
            ("Alice Liddell <alice@example.com>", [MailAddress(name: "Alice Liddell", address: "alice@example.com")]),
            (#""Doe, John \"JJ\"" <jd@example.com>, x@y.z"#, [
                MailAddress(name: #"Doe, John "JJ""#, address: "jd@example.com"), MailAddress(address: "x@y.z"),
            ]),
            ("=?UTF-8?B?5byg5LiJ?= <zs@example.com>", [MailAddress(name: "张三", address: "zs@example.com")]),
            (#""=?gb2312?B?1cXI/Q==?=" <zs@example.com>"#, [MailAddress(name: "张三", address: "zs@example.com")]),
            ("bob@example.com (Bob Smith)", [MailAddress(name: "Bob Smith", address: "bob@example.com")]),
            ("Bob (the (nested) builder) <bob@example.com>", [MailAddress(name: "Bob", address: "bob@example.com")]),
            ("undisclosed-recipients:;", []),
            ("Team: a@x.example, b@y.example;, c@z.example", [
                MailAddress(address: "a@x.example"), MailAddress(address: "b@y.example"), MailAddress(address: "c@z.example"),
            ]),
            ("<@relay.example:user@host.example>", [MailAddress(address: "user@host.example")]),
            (#""john doe"@example.com"#, [MailAddress(address: #""john doe"@example.com"#)]),
            ("postmaster", [MailAddress(address: "postmaster")]),
            ("Just Some Words", []),
            (",,, ;;; <> \"unterminated", []),
            ("", []),
        ]
        for (raw, expected) in cases {
            #expect(MailAddressParser.parseList(raw) == expected, "\(raw)")
        }
    }

    @Test("local part and domain split at the last @")
    func parts() {
        let address = MailAddress(address: #""a@b"@example.com"#)
        #expect(address.localPart == #""a@b""#)
        #expect(address.domain == "example.com")
        #expect(MailAddress(address: "nobody").domain == "")
    }
}

@Suite("MIME parser: charsets")
struct CharsetsTests {
    @Test("legacy charsets decode through iconv, with labels widened the way real mail needs")
    func decodes() {
        #expect(Charsets.decode([0xD6, 0xEC, 0xE9, 0x46], charset: "GB2312") == "朱镕")
        #expect(Charsets.decode([0x86, 0xB4], charset: "gbk") == "喆")
        #expect(Charsets.decode([0x81, 0x30, 0x81, 0x30], charset: "GB18030") == "\u{80}")
        #expect(Charsets.decode([0xA7, 0x41, 0xA6, 0x6E], charset: "Big5") == "你好")
        #expect(Charsets.decode([0x9D, 0xEF], charset: "big5") == "嘅")  // HKSCS-only, via the fallback
        #expect(Charsets.decode([0x63, 0x61, 0x66, 0xE9], charset: "iso-8859-1") == "café")
        #expect(Charsets.decode([0x80], charset: "windows-1252") == "€")
        #expect(Charsets.decode([0xA4], charset: "ISO_8859-15") == "€")
        #expect(Charsets.decode([0xD0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], charset: "koi8-r") == "привет")
        #expect(Charsets.decode([0x82, 0xA0], charset: "Shift_JIS") == "あ")
        #expect(Charsets.decode([0xA4, 0xA2], charset: "euc-jp") == "あ")
        #expect(Charsets.decode([0xC7, 0xD1], charset: "ks_c_5601-1987") == "한")
        #expect(Charsets.decode([0xFF, 0xFE, 0x60, 0x4F], charset: "utf-16") == "你")
        #expect(Charsets.decode(Array("héllo".utf8), charset: "\"UTF-8\"") == "héllo")
        #expect(Charsets.decode(Array("plain".utf8), charset: "us-ascii") == "plain")
    }

    @Test("unknown charsets and invalid bytes give nil; lossy decoding marks replacements")
    func failures() {
        #expect(Charsets.decode([0x41], charset: "x-foo") == nil)
        #expect(Charsets.decode([0x41], charset: "UTF-8//TRANSLIT") == nil)
        #expect(Charsets.decode([0xFF, 0x41], charset: "utf-8") == nil)
        #expect(Charsets.decode([0x81, 0x20], charset: "gbk") == nil)
        #expect(Charsets.isKnown("Windows-1251") && Charsets.isKnown("iso-2022-jp") && !Charsets.isKnown("x-foo"))
        let lossy = Charsets.decodeLossy([0x41, 0x81, 0x20, 0x42], charset: "gbk")
        #expect(lossy?.text == "A\u{FFFD} B")
        #expect(lossy?.hadErrors == true)
        #expect(Charsets.decodeLossy([0xC4, 0xE3, 0xBA], charset: "gb18030")?.text == "你\u{FFFD}")
    }

    @Test("text parts without a charset: ASCII silently, UTF-8 or GB18030 guessed with a warning")
    func undeclared() {
        let utf8 = MIMEParser().parse(Data("Subject: x\r\n\r\n你好".utf8))
        #expect(utf8.text == "你好")
        #expect(utf8.warnings == ["no charset declared in message body; decoded as UTF-8"])

        var gbk = Data("Subject: x\r\n\r\n".utf8)
        gbk.append(contentsOf: [0xC4, 0xE3, 0xBA, 0xC3])
        let gb = MIMEParser().parse(gbk)
        #expect(gb.text == "你好")
        #expect(gb.warnings == ["no charset declared in message body; decoded as GB18030"])

        #expect(MIMEParser().parse(Data("Subject: x\r\n\r\nplain".utf8)).warnings.isEmpty)
    }

    @Test("invalid bytes in a declared charset are replaced with a warning; mislabelled ASCII falls back to GB18030")
    func mislabelled() {
        var data = Data("Content-Type: text/plain; charset=utf-8\r\n\r\nok ".utf8)
        data.append(contentsOf: [0xFF])
        let mail = MIMEParser().parse(data)
        #expect(mail.text == "ok \u{FFFD}")
        #expect(mail.warnings == ["invalid byte sequences for charset 'utf-8' in message body; replaced with U+FFFD"])

        var ascii = Data("Content-Type: text/plain; charset=us-ascii\r\n\r\n".utf8)
        ascii.append(contentsOf: [0xC4, 0xE3, 0xBA, 0xC3])
        let labelled = MIMEParser().parse(ascii)
        #expect(labelled.text == "你好")
        #expect(labelled.warnings == ["charset 'us-ascii' in message body does not match the text; decoded as GB18030"])
    }
}

@Suite("MIME parser: HTML to text")
struct HTMLTextTests {
    @Test("blocks become line breaks, entities decode, whitespace collapses, hidden content is dropped")
    func reduction() {
        let html = """
            <html><head><title>T</title><style>b{}</style></head><body>
            <h1>Order   status</h1>
            <p>Hello&nbsp;&amp;&#32;welcome &lt;friend&gt; &quot;A&quot; &#39;B&#39; &#x4F60;&#22909; &euro;5 &bogus; &#xZZ;</p>
            <div>line one</div><div><br></div><div>line three</div>
            <ul><li>first</li><li>second</li></ul>
            <table><tr><td>a</td><td>b</td></tr></table>
            <!-- a comment with <p>markup</p> --><SCRIPT type="text/javascript">alert("<div>x</div>")</SCRIPT>
            tail<br/>end
            </body></html>
            """
        #expect(HTMLText.text(from: html) == """
            Order status

            Hello & welcome <friend> "A" 'B' 你好 €5 &bogus; &#xZZ;

            line one

            line three
            first
            second

            a b

            tail
            end
            """)
    }

    @Test("broken markup never hides more than it must")
    func brokenMarkup() {
        #expect(HTMLText.text(from: "a < b and c<3") == "a < b and c<3")
        #expect(HTMLText.text(from: "<head><p>no closing head") == "no closing head")
        #expect(HTMLText.text(from: "before<script>never closed") == "before")
        #expect(HTMLText.text(from: "x<!-- unclosed comment") == "x")
        #expect(HTMLText.text(from: "<a href='x>y'>link</a>") == "link")
        #expect(HTMLText.text(from: "&#0; &#x110000; &#55296;") == "\u{FFFD} \u{FFFD} \u{FFFD}")
        #expect(HTMLText.text(from: "") == "")
    }

    @Test("an HTML part without a charset parameter uses its meta charset")
    func metaCharset() {
        var data = Data("Content-Type: text/html\r\n\r\n<meta charset=\"gbk\"><p>".utf8)
        data.append(contentsOf: [0xC4, 0xE3, 0xBA, 0xC3])
        let mail = MIMEParser().parse(data)
        #expect(mail.text == "你好")
        #expect(mail.textSource == .html)
        #expect(mail.warnings.isEmpty)
    }
}

@Suite("MIME parser: structure")
struct MIMEStructureTests {
    @Test("attachments: disposition, file names and non-text types; inline text parts are joined")
    func classification() {
        let mail = parseCRLF("""
            Content-Type: multipart/mixed; boundary=b

            preamble ignored
            --b
            Content-Type: text/plain; charset=utf-8

            Part one.
            --b
            Content-Type: text/plain; name="notes.txt"

            attached notes
            --b
            Content-Type: text/plain
            Content-Disposition: attachment

            also attached
            --b
            Content-Type: text/calendar

            BEGIN:VCALENDAR
            --b
            Content-Type: image/jpeg
            Content-Transfer-Encoding: base64

            /9j/4AAQ
            --b
            Content-Type: message/rfc822
            Content-Disposition: attachment; filename="=?UTF-8?B?6L2s5Y+R?=.eml"

            Subject: forwarded

            inner body
            --b
            Content-Type: text/plain
            Content-Disposition: inline

            Part two.
            --b
            Content-Type: text/plain
            Content-Disposition: attachment;
             filename*0="long-";
             filename*1="name.log"

            x
            --b--
            """)
        #expect(mail.text == "Part one.\n\nPart two.")
        #expect(mail.textSource == .plain)
        #expect(mail.attachments == [
            MessageAttachment(name: "notes.txt", contentType: "text/plain", size: 14, content: Data("attached notes".utf8)),
            MessageAttachment(name: nil, contentType: "text/plain", size: 13, content: Data("also attached".utf8)),
            MessageAttachment(name: nil, contentType: "text/calendar", size: 15, content: Data("BEGIN:VCALENDAR".utf8)),
            MessageAttachment(name: nil, contentType: "image/jpeg", size: 6, content: Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10])),
            MessageAttachment(name: "转发.eml", contentType: "message/rfc822", size: 32, content: Data("Subject: forwarded\r\n\r\ninner body".utf8)),
            MessageAttachment(name: "long-name.log", contentType: "text/plain", size: 1, content: Data("x".utf8)),
        ])
        #expect(mail.warnings.isEmpty)
    }

    @Test("boundaries that are prefixes of one another are told apart")
    func prefixBoundaries() {
        let mail = parseCRLF("""
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: multipart/alternative; boundary="b-"

            --b-
            Content-Type: text/plain

            inner plain
            --b-
            Content-Type: text/html

            <p>inner html</p>
            --b---
            --b
            Content-Type: text/plain

            outer second
            --b--
            """)
        #expect(mail.text == "inner plain\n\nouter second")
        #expect(mail.warnings.isEmpty)
    }

    @Test("an alternative without plain text falls back to HTML; digest parts default to message/rfc822")
    func alternativeFallbackAndDigest() {
        let html = parseCRLF("""
            Content-Type: multipart/alternative; boundary=q

            --q
            Content-Type: text/plain

            \u{20}
            --q
            Content-Type: text/html

            <b>only html</b>
            --q--
            """)
        #expect(html.text == "only html")
        #expect(html.textSource == .html)

        let digest = parseCRLF("""
            Content-Type: multipart/digest; boundary=d

            --d

            Subject: one

            first
            --d--
            """)
        #expect(digest.attachments == [
            MessageAttachment(name: "one.eml", contentType: "message/rfc822", size: 21, content: Data("Subject: one\r\n\r\nfirst".utf8)),
        ])
        #expect(digest.textSource == .none)
    }

    @Test("a multipart without boundary parameter, or whose boundary never occurs, is read as text")
    func missingBoundary() {
        let noParameter = parseCRLF("Content-Type: multipart/mixed\n\nJust text.")
        #expect(noParameter.text == "Just text.")
        #expect(noParameter.warnings == ["multipart without boundary in message body; body treated as text"])

        let notFound = parseCRLF("Content-Type: multipart/mixed; boundary=zz\n\n--other\nJust text.")
        #expect(notFound.text == "--other\nJust text.")
        #expect(notFound.warnings == ["multipart boundary not found in message body; body treated as text"])
    }

    @Test("a body part without headers is body text; quoted-printable details decode exactly")
    func partsWithoutHeadersAndQP() {
        let mail = parseCRLF("""
            Content-Type: multipart/mixed; boundary=p

            --p
            Hello from a part without headers.
            --p
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            a=3Db =e4=bd=a0 soft=
            break   \u{20}
            trailing=20
            bad =ZZ escape=
            --p--
            """)
        #expect(mail.text == "Hello from a part without headers.\n\na=b 你 softbreak\ntrailing \nbad =ZZ escape")
    }

    @Test("nesting beyond the depth limit is ignored with one warning")
    func depthLimit() {
        var message = ""
        for level in 0..<30 {
            message += "Content-Type: multipart/mixed; boundary=\"l\(level)\"\n\n--l\(level)\n"
        }
        message += "Content-Type: text/plain\n\ndeep text\n"
        let mail = parseCRLF(message)
        #expect(mail.text == "")
        #expect(mail.warnings.contains("multipart nesting deeper than 20 levels at part 1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1; its content is ignored"))
        #expect(mail.warnings.filter { $0.hasPrefix("multipart boundary never closed") }.count == 20)

        let shallow = MIMEParser(limits: MIMELimits(maximumDepth: 40)).parse(Data(message.utf8))
        #expect(shallow.text == "deep text")
    }

    @Test("parts beyond the part limit are ignored with one warning")
    func partLimit() {
        var message = "Content-Type: multipart/mixed; boundary=x\n\n"
        for index in 0..<600 { message += "--x\nContent-Type: image/gif\n\n\(index)\n" }
        message += "--x--\n"
        let mail = MIMEParser().parse(Data(message.utf8))
        #expect(mail.attachments.count == 500)
        #expect(mail.warnings == ["more than 500 body parts; the rest are ignored"])
    }

    @Test("a header section over the byte limit is cut with a warning; the body is still found")
    func headerLimit() {
        let huge = String(repeating: "a", count: 10 * 1024 * 1024)
        let clock = ContinuousClock()
        var mail = ParsedMail()
        let elapsed = clock.measure {
            mail = MIMEParser().parse(Data("From: x@y.example\r\nSubject: \(huge)\r\nTo: z@y.example\r\n\r\nbody".utf8))
        }
        #expect(mail.header("Subject") == nil)
        #expect(mail.from?.address == "x@y.example")
        #expect(mail.to.isEmpty)
        #expect(mail.text == "body")
        #expect(mail.warnings == ["header section of message header exceeds 262144 bytes; the rest of it is ignored"])
        #expect(elapsed < .seconds(5))
    }

    @Test("empty and header-only messages")
    func degenerate() {
        let empty = MIMEParser().parse(Data())
        #expect(empty.text == "" && empty.textSource == .plain && empty.headers.isEmpty)
        #expect(empty.warnings == ["empty message"])

        let headersOnly = parseCRLF("Subject: only\n\n")
        #expect(headersOnly.subject == "only")
        #expect(headersOnly.text == "")
        #expect(headersOnly.warnings.isEmpty)

        let attachmentOnly = parseCRLF("Content-Type: application/pdf\n\n%PDF")
        #expect(attachmentOnly.textSource == .none)
        #expect(attachmentOnly.attachments == [MessageAttachment(name: nil, contentType: "application/pdf", size: 4, content: Data("%PDF".utf8))])
    }
}

@Suite("MIME parser: automatic mail")
struct AutomaticReplyTests {
    @Test("each automatic-mail signal is recognised, and ordinary mail is not")
    func signals() {
        let cases: [(String, String?)] = [
            ("From: a@example.com", nil),
            ("Auto-Submitted: no", nil),
            ("Auto-Submitted: No (manual)", nil),
            ("Auto-Submitted: auto-generated", "Auto-Submitted header is present and not \"no\""),
            ("Auto-Submitted: auto-replied; owner-email=\"x@y\"", "Auto-Submitted header is present and not \"no\""),
            ("Precedence: bulk", "Precedence is bulk"),
            ("Precedence: JUNK", "Precedence is junk"),
            ("Precedence: list", "Precedence is list"),
            ("Precedence: first-class", nil),
            ("X-Auto-Response-Suppress: OOF, DR", "X-Auto-Response-Suppress header is present"),
            ("List-Id: <news.example.com>", "List-Id header is present (mailing list)"),
            ("List-Unsubscribe: <mailto:u@example.com>", "List-Unsubscribe header is present (mailing list)"),
            ("Return-Path: <>", "Return-Path is null (<>)"),
            ("Return-Path: <bounce@example.com>", nil),
            ("From: MAILER-DAEMON@example.com", "From is a mailer-daemon, postmaster or no-reply address"),
            ("From: Shop <no_reply@shop.example>", "From is a mailer-daemon, postmaster or no-reply address"),
            ("From: No-Reply+orders@shop.example", "From is a mailer-daemon, postmaster or no-reply address"),
            ("From: DoNotReply@bank.example", "From is a mailer-daemon, postmaster or no-reply address"),
            ("From: do.not.reply@bank.example", "From is a mailer-daemon, postmaster or no-reply address"),
            ("From: postmaster@example.com", "From is a mailer-daemon, postmaster or no-reply address"),
            ("From: noreplyer@example.com", nil),
            ("Sender: Mailer_Daemon@example.com", "Sender is a mailer-daemon, postmaster or no-reply address"),
            ("Content-Type: multipart/report; report-type=disposition-notification; boundary=x", "Content-Type is multipart/report (delivery or read report)"),
            ("X-Loop: support@switchboard.example", "X-Loop header is present"),
        ]
        for (header, expected) in cases {
            #expect(parseCRLF(header + "\n\nbody").automaticReason == expected, "\(header)")
        }
    }

    @Test("the analysis also works on a hand-built ParsedMail")
    func handBuilt() {
        let mail = ParsedMail(headers: [MailHeader(name: "from", value: "noreply@x.example")])
        #expect(mail.automaticReason == "From is a mailer-daemon, postmaster or no-reply address")
    }
}
