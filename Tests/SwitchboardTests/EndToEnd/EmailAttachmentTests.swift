import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Mail
import NIOCore
import TestSupport
import Testing

/// Files by email against real Dovecot and SMTP: a customer's photo, Chinese-named PDF and forwarded message
/// come in by IMAP and are served back byte for byte; a file over the source's limit is replaced by a record
/// of why, and the customer is acknowledged as usual; an agent's upload leaves in the SMTP reply and lands
/// in the customer's mailbox byte for byte, its Chinese name intact.
@Suite("Email attachments against real Dovecot and SMTP", .serialized)
struct EmailAttachmentTests {
    static let photo = Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16] + Array("JFIF".utf8) + (0..<3000).map { UInt8(($0 * 7) % 256) })
    static let invoice = Data(("%PDF-1.4\n" + String(repeating: "发票 invoice line\n", count: 40) + "%%EOF\n").utf8)
    static let oversized = Data((0..<9000).map { UInt8($0 % 256) })

    static func harness(_ servers: TestMailServers) throws -> GatewayHarness {
        try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused",
            extraSources: """
                  - id: mail
                    channel: email
                    address: support@localhost
                    thread_secret: { env: TEST_THREAD_SECRET }
                    attachments: { max_bytes: 8192, max_total_bytes: 65536, max_count: 10 }
                    imap:
                      url: imap://127.0.0.1:\(servers.imapPort)
                      username: support
                      password: { env: TEST_MAIL_PASSWORD }
                      poll_interval: 100ms
                    smtp:
                      url: smtp://127.0.0.1:\(servers.smtpPort)
                      helo_name: switchboard.test
                """,
            environment: ["TEST_THREAD_SECRET": EmailTests.threadSecret, "TEST_MAIL_PASSWORD": TestMailServers.password])
    }

    /// A customer's message: text, an inline photo (multipart/related with a Content-ID), a PDF named 发票.pdf
    /// in RFC 2231 form, a forwarded message, and a file over the source's 8 KiB limit.
    static func customerMail() -> Data {
        func base64(_ data: Data) -> String { data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn]) }
        let forwarded = "From: shop@example.com\r\nTo: fay@example.com\r\nSubject: Order 7788 shipped\r\nMessage-ID: <fwd-1@example.com>\r\n\r\nYour order 7788 has shipped.\r\n"
        let mail = """
            From: Fay <fay@example.com>\r
            To: support@localhost\r
            Subject: =?UTF-8?B?5YyF6KOF56C05LqG?=\r
            Message-ID: <files-1@example.com>\r
            Date: Wed, 25 Nov 2026 10:00:00 +0800\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="outer"\r
            \r
            --outer\r
            Content-Type: multipart/related; boundary="rel"\r
            \r
            --rel\r
            Content-Type: text/html; charset=UTF-8\r
            \r
            <p>包裹到的时候已经破了，照片如下：<img src="cid:photo-1@example.com"></p>\r
            --rel\r
            Content-Type: image/jpeg\r
            Content-ID: <photo-1@example.com>\r
            Content-Transfer-Encoding: base64\r
            \r
            \(base64(photo))\r
            --rel--\r
            --outer\r
            Content-Type: application/pdf\r
            Content-Disposition: attachment; filename*=UTF-8''%E5%8F%91%E7%A5%A8.pdf\r
            Content-Transfer-Encoding: base64\r
            \r
            \(base64(invoice))\r
            --outer\r
            Content-Type: message/rfc822\r
            Content-Disposition: attachment\r
            \r
            \(forwarded)\r
            --outer\r
            Content-Type: application/octet-stream\r
            Content-Disposition: attachment; filename="dump.bin"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(base64(oversized))\r
            --outer--\r

            """
        return Data(mail.utf8)
    }

    @Test("a photo, a Chinese-named PDF and a forwarded message come in by IMAP and are served back byte for byte; the oversized file is a refusal and the customer is still acknowledged")
    func inboundFiles() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        try await EmailTests.append(servers, Self.customerMail())
        try await Self.harness(servers).run { client, parts in
            #expect(try await eventually { try await EmailTests.count(parts, "SELECT COUNT(*) FROM messages") == 1 })
            let conversationID = try #require(try await testDatabase(parts.sqlitePath).read { db in
                try String.fetchOne(db, sql: "SELECT conversation_id FROM messages")
            })
            let page = try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.agentToken)
                .decode(ConversationPage.self)
            let message = try #require(page.messages.first)
            #expect(message.text.contains("包裹到的时候已经破了"))
            let files = message.attachments
            #expect(files.count == 4)
            guard files.count == 4 else { return }
            #expect(files[0].inline == true && files[0].contentID == "photo-1@example.com" && files[0].detectedType == "jpeg")
            #expect(files[1].name == "发票.pdf" && files[1].detectedType == "pdf")
            #expect(files[2].contentType == "message/rfc822")
            #expect(files[3].name == "dump.bin" && files[3].id == nil && files[3].refusal?.code == "too_large")
            #expect(files[3].refusal?.message.contains("8192") == true)

            for (file, expected) in zip(files.prefix(2), [Self.photo, Self.invoice]) {
                let served = try await client.execute(
                    uri: "/v1/attachments/\(try #require(file.id))", method: .get,
                    headers: [.authorization: "Bearer \(GatewayHarness.agentToken)"], body: nil)
                #expect(served.status == .ok)
                #expect(Data(buffer: served.body) == expected)
            }
            let forwarded = try await client.execute(
                uri: "/v1/attachments/\(try #require(files[2].id))", method: .get,
                headers: [.authorization: "Bearer \(GatewayHarness.agentToken)"], body: nil)
            let parsed = MIMEParser().parse(Data(buffer: forwarded.body))
            #expect(parsed.subject == "Order 7788 shipped" && parsed.text.contains("has shipped"))
            #expect(forwarded.headers[.contentDisposition]?.hasPrefix("attachment;") == true)

            // Kept once, the refused file not at all; the acknowledgement went out as for any message.
            #expect(try await EmailTests.count(parts, "SELECT COUNT(*) FROM attachment_blobs") == 3)
            #expect(try await eventually { try await servers.mailbox("fay").count == 1 })
        }
    }

    @Test("an agent's upload leaves in the SMTP reply as a MIME part and reaches the customer byte for byte, its Chinese name intact")
    func outboundFile() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        try await EmailTests.append(servers, try EmailTests.customerMail(
            from: "gus@example.com", subject: "退货", messageID: "return-1@example.com", text: "我想退货，请问怎么办？"))
        try await Self.harness(servers).run { client, parts in
            #expect(try await eventually { try await EmailTests.count(parts, "SELECT COUNT(*) FROM messages") == 1 })
            let conversationID = try #require(try await testDatabase(parts.sqlitePath).read { db in
                try String.fetchOne(db, sql: "SELECT conversation_id FROM messages")
            })
            // The acknowledgement first, so the reply is the second mail.
            #expect(try await eventually { try await servers.mailbox("gus").count == 1 })
            let name = "退货标签（顺丰）.pdf"
            let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let uploaded = try await client.execute(
                uri: "/v1/attachments?filename=\(encoded)", method: .post,
                headers: [.contentType: "application/pdf", .authorization: "Bearer \(GatewayHarness.agentToken)"], body: ByteBuffer(data: Self.invoice))
            let id = try #require(try uploaded.decode(AttachmentAnswer.self).id)
            let reply = try await client.send(
                .post, "/v1/outbox", json: #"{"conversation_id":"\#(conversationID)","text":"退货标签见附件，打印后贴在包裹上即可。","attachments":["\#(id)"]}"#,
                token: GatewayHarness.agentToken)
            #expect(reply.status == .created)
            #expect(try await eventually { try await servers.mailbox("gus").count == 2 })
            let raw = try #require(try await servers.mailbox("gus").last)
            let mail = MIMEParser().parse(raw)
            #expect(mail.text == "退货标签见附件，打印后贴在包裹上即可。")
            #expect(mail.attachments.count == 1)
            #expect(mail.attachments.first?.name == name)
            #expect(mail.attachments.first?.contentType == "application/pdf")
            #expect(mail.attachments.first?.content == Self.invoice)
            #expect(mail.warnings.isEmpty)
        }
    }
}
