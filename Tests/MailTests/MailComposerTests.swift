import Foundation
import Testing
@testable import Mail

private func composerSample(
    subject: String = "Your ticket #1042",
    text: String = "Hello,\n\nWe have received your message.\n\nSupport",
    from: MailAddress = MailAddress(name: "Switchboard Support", address: "support@switchboard.example"),
    to: [MailAddress] = [MailAddress(name: "Alice", address: "alice@example.com")]
) -> OutgoingMail {
    OutgoingMail(
        from: from,
        to: to,
        subject: subject,
        messageID: "sb-1@switchboard.example",
        date: Date(timeIntervalSince1970: 1_795_341_600),
        text: text
    )
}

private func composerRender(_ mail: OutgoingMail) throws -> String {
    String(decoding: try MailComposer().render(mail), as: UTF8.self)
}

/// The header section's physical lines (without CRLF), and the body.
private func composerSplit(_ rendered: String) -> (headerLines: [String], body: String) {
    let parts = rendered.components(separatedBy: "\r\n\r\n")
    return (parts[0].components(separatedBy: "\r\n"), parts.dropFirst().joined(separator: "\r\n\r\n"))
}

private func composerError(_ mail: OutgoingMail) -> MailCompositionError? {
    do {
        _ = try MailComposer().render(mail)
        return nil
    } catch {
        return error
    }
}

@Suite("Mail composer")
struct MailComposerTests {
    @Test("a plain ASCII reply renders exactly, with CRLF everywhere")
    func exactRendering() throws {
        var mail = composerSample()
        mail.cc = [MailAddress(address: "ops@switchboard.example")]
        mail.replyTo = [MailAddress(name: "Doe, John", address: "jd@example.com")]
        mail.inReplyTo = "abc@example.com"
        mail.references = ["root@example.com", "abc@example.com"]
        mail.extraHeaders = [MailHeader(name: "Auto-Submitted", value: "auto-replied"), MailHeader(name: "X-Loop", value: "switchboard")]
        let rendered = try composerRender(mail)
        #expect(rendered == """
            Date: Sun, 22 Nov 2026 10:00:00 +0000\r
            From: Switchboard Support <support@switchboard.example>\r
            To: Alice <alice@example.com>\r
            Cc: ops@switchboard.example\r
            Reply-To: "Doe, John" <jd@example.com>\r
            Subject: Your ticket #1042\r
            Message-ID: <sb-1@switchboard.example>\r
            In-Reply-To: <abc@example.com>\r
            References: <root@example.com> <abc@example.com>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=UTF-8\r
            Content-Transfer-Encoding: quoted-printable\r
            Auto-Submitted: auto-replied\r
            X-Loop: switchboard\r
            \r
            Hello,\r
            \r
            We have received your message.\r
            \r
            Support\r

            """)
        let bytes = Array(rendered.utf8)
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            #expect(index > 0 && bytes[index - 1] == 0x0D)
        }
    }

    @Test("CR, LF or NUL in any header input is refused, naming the field and never the value")
    func headerInjection() {
        let secret = "evil\r\nBcc: victim@example.com"
        var cases: [(OutgoingMail, String)] = []
        cases.append((composerSample(subject: secret), "Subject contains a line break or NUL"))
        cases.append((composerSample(subject: "a\0b"), "Subject contains a line break or NUL"))
        cases.append((composerSample(from: MailAddress(name: secret, address: "s@x.example")), "From display name contains a line break or NUL"))
        cases.append((composerSample(to: [MailAddress(address: "a@x.example\nBcc: b@y.example")]), "To address contains a line break or NUL"))
        var mail = composerSample()
        mail.cc = [MailAddress(name: "ok", address: "c@x.example"), MailAddress(name: "bad\r", address: "d@x.example")]
        cases.append((mail, "Cc display name contains a line break or NUL"))
        mail = composerSample()
        mail.messageID = "id@x\r\nBcc: v@y"
        cases.append((mail, "Message-ID contains a line break or NUL"))
        mail = composerSample()
        mail.inReplyTo = "p@x\n"
        cases.append((mail, "In-Reply-To contains a line break or NUL"))
        mail = composerSample()
        mail.references = ["ok@x", "r@x\r"]
        cases.append((mail, "References contains a line break or NUL"))
        mail = composerSample()
        mail.extraHeaders = [MailHeader(name: "X-Loop", value: secret)]
        cases.append((mail, "X-Loop contains a line break or NUL"))
        mail = composerSample()
        mail.extraHeaders = [MailHeader(name: "X-A", value: "1"), MailHeader(name: "X-B\r\nBcc", value: "2")]
        cases.append((mail, "the name of extra header 2 contains a line break or NUL"))
        for (mail, message) in cases {
            let error = composerError(mail)
            #expect(error?.code == "header_line_break", "\(message)")
            #expect(error?.message == message)
            #expect(error?.description.contains("evil") == false)
            #expect(error?.description.contains("victim") == false)
        }
    }

    @Test("extra header names must be printable tokens and must not replace the composer's own fields")
    func extraHeaderNames() {
        for name in ["X Bad", "X:Bad", "", "Ünicode"] {
            var mail = composerSample()
            mail.extraHeaders = [MailHeader(name: name, value: "v")]
            #expect(composerError(mail)?.code == "invalid_header_name", "\(name)")
        }
        for name in ["Subject", "content-type", "BCC", "Message-ID"] {
            var mail = composerSample()
            mail.extraHeaders = [MailHeader(name: name, value: "v")]
            let error = composerError(mail)
            #expect(error?.code == "reserved_header")
            #expect(error?.message == "\(name) is written by the composer and cannot be an extra header")
        }
    }

    @Test("addresses and message ids are validated; a message needs a recipient")
    func validation() {
        #expect(composerError(composerSample(to: []))?.code == "no_recipients")
        let badAddress = composerError(composerSample(to: [MailAddress(address: "two@@x.example")]))
        #expect(badAddress == MailCompositionError(code: "invalid_address", message: "To address must contain exactly one @"))
        var mail = composerSample()
        mail.messageID = "no-at-sign"
        #expect(composerError(mail)?.code == "invalid_message_id")
        mail.messageID = "<ok@x.example>"
        #expect(composerError(mail) == nil)
        mail.references = ["has space@x"]
        #expect(composerError(mail)?.code == "invalid_message_id")
    }

    @Test("any id the parser returns can be cited back in In-Reply-To and References")
    func citeParsedIDs() throws {
        let raw = "Message-ID: <ünï@例子.cn>\r\nReferences: <a\u{1}b@x> <ok@x> <%weird!#@y>\r\n\r\n"
        let parsed = MIMEParser().parse(Data(raw.utf8))
        #expect(parsed.references == ["ok@x", "%weird!#@y"])
        var mail = composerSample()
        mail.inReplyTo = parsed.messageID
        mail.references = parsed.references + [parsed.messageID ?? ""]
        let reparsed = MIMEParser().parse(try MailComposer().render(mail))
        #expect(reparsed.inReplyTo == ["ünï@例子.cn"])
        #expect(reparsed.references == ["ok@x", "%weird!#@y", "ünï@例子.cn"])
    }

    @Test("envelope addresses: valid ones pass, each kind of invalid one is refused")
    func envelope() throws {
        let composer = MailComposer()
        for valid in ["a@b.example", "first.last+tag@sub.example.com", "用户@例子.中国", "x@[192.0.2.1]"] {
            try composer.validateEnvelopeAddress(valid)
        }
        let invalid: [(String, String)] = [
            ("", "envelope address is empty"),
            ("a@b\r\nRCPT TO:<c@d>", "envelope address contains a line break or NUL"),
            ("a\0@b", "envelope address contains a line break or NUL"),
            ("a b@c", "envelope address contains spaces, angle brackets, control characters or list separators"),
            ("<a@b>", "envelope address contains spaces, angle brackets, control characters or list separators"),
            ("ab", "envelope address must contain exactly one @"),
            ("a@b@c", "envelope address must contain exactly one @"),
            ("@b", "envelope address has an empty local part"),
            ("a@", "envelope address has an empty domain"),
            (String(repeating: "a", count: 250) + "@b.ex", "envelope address is longer than 254 bytes"),
        ]
        for (address, message) in invalid {
            #expect(throws: MailCompositionError(code: "invalid_address", message: message)) {
                try composer.validateEnvelopeAddress(address)
            }
        }
    }

    @Test("a long Chinese subject becomes UTF-8 encoded words of at most 75 characters on lines of at most 78")
    func encodedSubjectFolding() throws {
        let subject = "关于您的订单（编号 20261122-0042）延迟发货的说明：我们已经联系物流公司加急处理，预计三天内送达，给您带来的不便深表歉意 🙏"
        let rendered = try composerRender(composerSample(subject: subject))
        let lines = composerSplit(rendered).headerLines
        let start = try #require(lines.firstIndex { $0.hasPrefix("Subject: ") })
        var subjectLines = [lines[start]]
        for line in lines[(start + 1)...] {
            guard line.hasPrefix(" ") else { break }
            subjectLines.append(line)
        }
        #expect(subjectLines.count > 2)
        for line in subjectLines {
            #expect(line.utf8.count <= 78)
        }
        let words = subjectLines.joined().dropFirst("Subject:".count).split(separator: " ")
        for word in words {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            // Each word decodes on its own: splits fall on character boundaries.
            let payload = word.dropFirst(10).dropLast(2)
            let bytes = try #require(Data(base64Encoded: String(payload)))
            #expect(Charsets.decode(bytes, charset: "utf-8") != nil)
        }
        #expect(MIMEParser().parse(Data(rendered.utf8)).subject == subject)
    }

    @Test("a long ASCII subject folds at spaces and unfolds to the same text")
    func asciiSubjectFolding() throws {
        let subject = "Re: Re: Fwd: [#1042] Your order of the blue ceramic mug (large) has been shipped  and should arrive on Tuesday, unless the carrier is delayed by weather"
        let rendered = try composerRender(composerSample(subject: subject))
        for line in composerSplit(rendered).headerLines {
            #expect(line.utf8.count <= 78)
        }
        #expect(!rendered.contains("=?"))
        #expect(MIMEParser().parse(Data(rendered.utf8)).subject == subject)
    }

    @Test("text that looks like encoded words, control characters and display-name specials round-trip literally")
    func literalTricks() throws {
        var mail = composerSample(subject: "About =?utf-8?B?5L2g?= literally\tand tabs")
        mail.to = [
            MailAddress(name: #"O'Brien, "Pat""#, address: "pat@example.ie"),
            MailAddress(name: "张三", address: "zs@example.cn"),
            MailAddress(name: "  ", address: "blank@example.com"),
        ]
        let parsed = MIMEParser().parse(try MailComposer().render(mail))
        #expect(parsed.subject == mail.subject)
        #expect(parsed.to == [
            MailAddress(name: #"O'Brien, "Pat""#, address: "pat@example.ie"),
            MailAddress(name: "张三", address: "zs@example.cn"),
            MailAddress(address: "blank@example.com"),
        ])
    }

    @Test("mostly-ASCII text is quoted-printable with escapes and soft breaks; Chinese text is base64 in 76-column lines")
    func bodyEncodings() throws {
        let ascii = "Price = 5 euros   \n.\n" + String(repeating: "long-line ", count: 20) + "\nnaïve café"
        let rendered = try composerRender(composerSample(text: ascii))
        #expect(rendered.contains("Content-Transfer-Encoding: quoted-printable\r\n"))
        let body = composerSplit(rendered).body
        #expect(body.hasPrefix("Price =3D 5 euros  =20\r\n=2E\r\nlong-line long-line "))
        #expect(body.contains("na=C3=AFve caf=C3=A9\r\n"))
        for line in body.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76)
        }
        #expect(MIMEParser().parse(Data(rendered.utf8)).text == ascii)

        let chinese = "您好：\n\n您的订单已经发货，预计三天内送达。如有问题请随时联系我们。\n\n客服中心"
        let encoded = try composerRender(composerSample(text: chinese))
        #expect(encoded.contains("Content-Transfer-Encoding: base64\r\n"))
        let lines = composerSplit(encoded).body.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.dropLast().allSatisfy { $0.utf8.count == 76 })
        #expect(lines.last.map { $0.utf8.count <= 76 } == true)
        #expect(MIMEParser().parse(Data(encoded.utf8)).text == chinese)
    }

    @Test("many references fold onto lines of at most 78 characters and come back in order")
    func referencesFolding() throws {
        var mail = composerSample()
        mail.references = (1...12).map { "message-\($0)-with-a-fairly-long-identifier@mail.example.com" }
        mail.inReplyTo = mail.references.last
        let rendered = try composerRender(mail)
        for line in composerSplit(rendered).headerLines {
            #expect(line.utf8.count <= 78)
        }
        let parsed = MIMEParser().parse(Data(rendered.utf8))
        #expect(parsed.references == mail.references)
        #expect(parsed.inReplyTo == [mail.references[11]])
    }

    @Test("round trip through the parser, in Chinese and English, with long subjects")
    func roundTrip() throws {
        let samples: [(String, String, String?)] = [
            ("Re: Your refund for order #5521 has been approved and will be processed within five business days",
             "Dear Alice,\n\nYour refund has been approved.\n\n> Original message quoted\n\nBest regards,\nSupport", "张三 李四"),
            ("回复：关于订单 20261122-0042 的投诉处理结果通知（请务必在七个工作日内确认，否则系统将自动关闭工单）",
             "陈先生您好：\n\n非常抱歉给您带来不便。我们已经为您重新发货，快递单号为 SF1234567890。\n\n祝好！\n客服中心", "客服中心"),
            ("Mixed 混合 subject with emoji 🎉 and accents café", "Short body.", nil),
        ]
        for (subject, text, name) in samples {
            var mail = composerSample(subject: subject, text: text, from: MailAddress(name: name, address: "support@switchboard.example"))
            mail.to = [MailAddress(name: "陈喆", address: "chen.zhe@example.cn"), MailAddress(address: "x@example.com")]
            mail.cc = [MailAddress(name: "Ops Team", address: "ops@switchboard.example")]
            mail.inReplyTo = "20261122100000.4242@mail.example.cn"
            mail.references = ["root@example.cn", "20261122100000.4242@mail.example.cn"]
            let parsed = MIMEParser().parse(try MailComposer().render(mail))
            #expect(parsed.subject == subject)
            #expect(parsed.from == mail.from)
            #expect(parsed.to == mail.to)
            #expect(parsed.cc == mail.cc)
            #expect(parsed.messageID == mail.messageID)
            #expect(parsed.inReplyTo == ["20261122100000.4242@mail.example.cn"])
            #expect(parsed.references == mail.references)
            #expect(parsed.date == mail.date)
            #expect(parsed.text == text)
            #expect(parsed.textSource == .plain)
            #expect(parsed.warnings.isEmpty)
            #expect(parsed.automaticReason == nil)
        }
    }

    @Test("seeded random subjects, names and bodies round-trip exactly")
    func randomRoundTrip() throws {
        var state: UInt64 = 0x5EED_1234
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let pieces = ["a", "Z", " ", "  ", "=", "?", "=?", "_", "\"", "(", ",", "<", ".", "é", "中", "文", "🙂", "e\u{301}", "👩‍👩‍👧", "\t", "-", "x@y", "长长长长长长长长长长"]
        func randomText(_ count: Int) -> String {
            (0..<count).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined()
        }
        for _ in 0..<150 {
            var subject = randomText(Int(next() % 60))
            subject = subject.trimmingCharacters(in: .whitespaces)
            let name = randomText(Int(next() % 12)).trimmingCharacters(in: .whitespaces)
            let lines = (0..<Int(next() % 6)).map { _ in randomText(Int(next() % 120)) }
            let text = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            var mail = composerSample(subject: subject, text: text, from: MailAddress(name: name.isEmpty ? nil : name, address: "s@x.example"))
            mail.replyTo = [mail.from, MailAddress(name: name.isEmpty ? nil : name, address: "r@x.example")]
            let rendered = try MailComposer().render(mail)
            let parsed = MIMEParser().parse(rendered)
            #expect(parsed.subject == subject)
            #expect(parsed.from == mail.from)
            #expect(parsed.replyTo == mail.replyTo)
            #expect(parsed.text == text)
            let header = String(decoding: rendered, as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
            for line in header.components(separatedBy: "\r\n") {
                #expect(line.utf8.count <= 78, "\(line)")
            }
        }
    }
}
