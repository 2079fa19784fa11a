import Curl
import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Mail
import TestSupport
import Testing

/// The email channel end to end: real Dovecot (IMAP), a real SMTP server delivering into Dovecot, and
/// the application `serve` builds.
@Suite("Email channel against real Dovecot and SMTP", .serialized)
struct EmailTests {
    static let threadSecret = "thread-secret-for-the-email-tests"

    static func fixture(_ name: String) throws -> Data {
        try MailFixtures.data(name)
    }

    /// A gateway with one email source polling `support`'s mailbox every 100 ms and replying through the
    /// test SMTP server.
    static func harness(
        _ servers: TestMailServers, mailbox: String = "INBOX", afterImport: String = "seen", directory: URL? = nil
    ) throws -> GatewayHarness {
        try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused",
            maxAttempts: 3,
            extraSources: """
                  - id: mail
                    channel: email
                    address: support@localhost
                    display_name: 客服中心
                    thread_secret: { env: TEST_THREAD_SECRET }
                    imap:
                      url: imap://127.0.0.1:\(servers.imapPort)
                      mailbox: \(mailbox)
                      username: support
                      password: { env: TEST_MAIL_PASSWORD }
                      poll_interval: 100ms
                      after_import: \(afterImport)
                    smtp:
                      url: smtp://127.0.0.1:\(servers.smtpPort)
                      helo_name: switchboard.test
                """,
            environment: ["TEST_THREAD_SECRET": threadSecret, "TEST_MAIL_PASSWORD": TestMailServers.password],
            directory: directory)
    }

    static func append(_ servers: TestMailServers, _ message: Data, to user: String = "support", mailbox: String = "INBOX") async throws {
        let session = CurlIMAPSession(endpoint: servers.imapEndpoint(user: user), mailbox: mailbox, logger: Logger(label: "test"))
        defer { session.close() }
        _ = try await session.append(message, to: mailbox)
    }

    static func count(_ parts: Gateway.Parts, _ sql: String, _ arguments: StatementArguments = []) async throws -> Int {
        try await testDatabase(parts.sqlitePath).read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    static func customerMail(from: String, to: String = "support@localhost", subject: String, messageID: String, inReplyTo: String? = nil, references: [String] = [], text: String, extraHeaders: [MailHeader] = []) throws -> Data {
        var mail = OutgoingMail(
            from: MailAddress(name: nil, address: from), to: [MailAddress(address: to)], subject: subject,
            messageID: messageID, date: Date(), text: text)
        mail.inReplyTo = inReplyTo
        mail.references = references
        mail.extraHeaders = extraHeaders
        return try MailComposer().render(mail)
    }

    @Test("a GBK complaint arrives by IMAP and is queued; the customer's reply threads in; the agent's reply lands with threading headers; a restart does not re-import")
    func complaintConversation() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        let complaint = try Self.fixture("gbk-complaint.eml")
        try await Self.append(servers, complaint)

        var harness = try Self.harness(servers)
        harness.removeDirectoryAfterRun = false
        defer { try? FileManager.default.removeItem(at: harness.directory) }
        try await harness.run { client, parts in
            #expect(try await eventually { try await Self.count(parts, "SELECT COUNT(*) FROM messages") == 1 })
            let conversationID = try #require(try await testDatabase(parts.sqlitePath).read { db in
                try String.fetchOne(db, sql: "SELECT conversation_id FROM messages")
            })
            let detail = try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.agentToken)
                .decode(ConversationPage.self)
            let conversation = detail.conversation
            #expect(conversation.queue == "escalations")
            #expect(conversation.urgency == "critical")
            #expect(conversation.channel == "email")
            #expect(conversation.customerAddress == "chen.zhe@example.cn")
            let first = try #require(detail.messages.first)
            #expect(first.subject == "投诉：朱镕基路店的订单一直没有发货")
            #expect(first.text.contains("客服电话一直打不通"))
            #expect(first.threadedBy == "new")

            // The acknowledgement reaches the customer's mailbox, threaded and marked automatic.
            #expect(try await eventually { try await servers.mailbox("chen.zhe").count == 1 })
            let ackRaw = try #require(try await servers.mailbox("chen.zhe").first)
            let ack = MIMEParser().parse(ackRaw)
            #expect(ack.header("Auto-Submitted") == "auto-replied")
            #expect(ack.inReplyTo == ["20261122100000.4242@mail.example.cn"])
            #expect(ack.subject == "Re: 投诉：朱镕基路店的订单一直没有发货")
            #expect(ack.from?.address == "support@localhost")
            #expect(ack.from?.name == "客服中心")
            let ackID = try #require(ack.messageID)
            #expect(ackID.hasPrefix("sb.\(conversationID)."))

            // Committed mail is marked \Seen on the server, never deleted.
            let session = CurlIMAPSession(endpoint: servers.imapEndpoint(user: "support"), mailbox: "INBOX", logger: Logger(label: "test"))
            defer { session.close() }
            #expect(try await eventually {
                let status = try await session.status()
                let fetched = try await session.fetch(uids: try await session.uids(from: 1), expectedUIDValidity: status.uidValidity)
                return fetched.count == 1 && fetched[0].flags.contains("\\Seen")
            })

            // The customer answers the acknowledgement from another client: the signed token threads it.
            let reply = try Self.customerMail(
                from: "chen.zhe@example.cn", subject: "Re: 投诉", messageID: "reply-1@mail.example.cn", inReplyTo: ackID,
                references: ["20261122100000.4242@mail.example.cn", ackID], text: "还是没有收到，太失望了。")
            try await Self.append(servers, reply)
            #expect(try await eventually { try await Self.count(parts, "SELECT COUNT(*) FROM messages") == 2 })
            let threaded = try await testDatabase(parts.sqlitePath).read { db in
                try Row.fetchOne(db, sql: "SELECT conversation_id, threaded_by FROM messages WHERE external_id = 'reply-1@mail.example.cn'")
            }
            #expect(threaded?["conversation_id"] == conversationID)
            #expect(threaded?["threaded_by"] == "token")

            // The agent's reply leaves by SMTP and lands in the customer's mailbox, citing their last message.
            let body = "陈先生您好：您的订单已于今天发出，快递单号 SF1234567890。给您带来不便，非常抱歉。"
            let posted = try await client.send(
                .post, "/v1/outbox", json: #"{"conversation_id":"\#(conversationID)","text":"\#(body)"}"#, token: GatewayHarness.agentToken)
            #expect(posted.status == .created)
            #expect(try await eventually { try await servers.mailbox("chen.zhe").count == 2 })
            let agentRaw = try #require(try await servers.mailbox("chen.zhe").last)
            let agent = MIMEParser().parse(agentRaw)
            #expect(agent.text == body)
            #expect(agent.inReplyTo == ["reply-1@mail.example.cn"])
            #expect(agent.references == ["20261122100000.4242@mail.example.cn", ackID, "reply-1@mail.example.cn"])
            #expect(agent.header("Auto-Submitted") == nil)
            #expect(agent.subject == "Re: 投诉")
            #expect(agent.warnings.isEmpty)
            let agentText = String(decoding: agentRaw, as: UTF8.self)
            #expect(agentText.contains("charset=UTF-8"))
            #expect(!agentText.contains("\n") || agentText.components(separatedBy: "\n").dropLast().allSatisfy { $0.hasSuffix("\r") })
        }

        // Restart on the same database with the old mail still in the mailbox: only the new message is read.
        try await Self.append(servers, try Self.customerMail(
            from: "lee@example.com", subject: "Invoice", messageID: "invoice-1@example.com", text: "Could you send me the invoice for order 77?"))
        var restarted = try Self.harness(servers, directory: harness.directory)
        restarted.removeDirectoryAfterRun = false
        try await restarted.run { (_, parts) async throws in
            #expect(try await eventually { try await Self.count(parts, "SELECT COUNT(*) FROM messages") == 3 })
            try await Task.sleep(for: .milliseconds(400))  // a few more polls
            #expect(try await Self.count(parts, "SELECT COUNT(*) FROM messages") == 3)
            #expect(try await Self.count(parts, "SELECT COUNT(*) FROM events WHERE kind = 'deduplicated'") == 0)
        }
    }

    @Test("automatic replies, bounces and our own mail get no automatic reply")
    func loopSafety() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        try await Self.append(servers, try Self.fixture("auto-reply.eml"))
        try await Self.append(servers, try Self.fixture("bounce.eml"))
        try await Self.append(servers, try Self.customerMail(
            from: "support@localhost", subject: "Re: your message", messageID: "echo@localhost", text: "An echo of our own reply.",
            extraHeaders: [MailHeader(name: "X-Switchboard-Loop", value: "support@localhost")]))
        try await Self.append(servers, try Self.customerMail(
            from: "ok@example.com", subject: "Question", messageID: "human@example.com", text: "Where is my parcel?"))
        try await Self.harness(servers).run { (_, parts) async throws in
            #expect(try await eventually { try await Self.count(parts, "SELECT COUNT(*) FROM messages") == 4 })
            #expect(try await eventually { try await Self.count(parts, "SELECT COUNT(*) FROM outbox WHERE status = 'delivered'") == 1 })
            #expect(try await Self.count(parts, "SELECT COUNT(*) FROM outbox") == 1)
            #expect(try await Self.count(parts, "SELECT COUNT(*) FROM outbox WHERE recipient = 'ok@example.com'") == 1)
            #expect(try await Self.count(parts, "SELECT COUNT(*) FROM events WHERE kind = 'auto_reply_suppressed'") == 3)
            #expect(try await servers.mailbox("dave").isEmpty)
            #expect(try await servers.mailbox("ok").count == 1)
        }
    }

    @Test("an SMTP server answering 451 then 250 leads to one delivered copy; 550 fails with the server's reply kept")
    func smtpRetries() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        try servers.scriptSMTPReplies([451])
        try await Self.append(servers, try Self.customerMail(
            from: "wang@example.com", subject: "发票", messageID: "fapiao@example.com", text: "请问发票怎么开？"))
        try await Self.harness(servers).run { client, parts in
            #expect(try await eventually { try await Self.count(parts, "SELECT COUNT(*) FROM outbox WHERE status = 'delivered'") == 1 })
            #expect(try await Self.count(parts, "SELECT attempts FROM outbox") == 2)
            #expect(try await servers.mailbox("wang").count == 1)
            let retry = try await testDatabase(parts.sqlitePath).read { db in
                try String.fetchOne(db, sql: "SELECT detail FROM events WHERE kind = 'delivery_attempt' ORDER BY seq LIMIT 1")
            }
            #expect(retry?.contains("451") == true)

            try servers.scriptSMTPReplies([550])
            let conversationID = try #require(try await testDatabase(parts.sqlitePath).read { db in
                try String.fetchOne(db, sql: "SELECT conversation_id FROM messages")
            })
            let posted = try await client.send(
                .post, "/v1/outbox", json: #"{"conversation_id":"\#(conversationID)","text":"您好，发票已开具。"}"#, token: GatewayHarness.agentToken)
            let outboxID = try posted.decode(OutboxEntryAnswer.self).id
            #expect(try await eventually { try await parts.store.outboxEntry(id: outboxID)?.status == .failed })
            let failed = try await parts.store.outboxEntry(id: outboxID)
            #expect(failed?.attempts == 1)
            #expect(failed?.lastError?.contains("550 5.1.1") == true)
            #expect(try await servers.mailbox("wang").count == 1)
        }
    }

    @Test("a UIDVALIDITY change re-reads the mailbox without importing anything twice")
    func uidValidityChange() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        let first = try Self.customerMail(from: "a@example.com", subject: "One", messageID: "one@example.com", text: "First question.")
        try await Self.append(servers, first)
        var harness = try Self.harness(servers, afterImport: "leave")
        harness.removeDirectoryAfterRun = false
        defer { try? FileManager.default.removeItem(at: harness.directory) }
        let before = try await CurlIMAPSession(endpoint: servers.imapEndpoint(user: "support"), mailbox: "INBOX", logger: Logger(label: "test")).status()
        try await harness.run { (_, parts) async throws in
            #expect(try await eventually { try await Self.count(parts, "SELECT COUNT(*) FROM messages") == 1 })
        }
        // Dovecot gives a mailbox a new UIDVALIDITY when its UID list is lost, as after a server migration.
        let maildir = servers.directory + "/mail/support"
        for file in try FileManager.default.contentsOfDirectory(atPath: maildir) where file.hasPrefix("dovecot-uidlist") || file.hasPrefix("dovecot.index") {
            try FileManager.default.removeItem(atPath: maildir + "/" + file)
        }
        try await Self.append(servers, try Self.customerMail(from: "b@example.com", subject: "Two", messageID: "two@example.com", text: "Second question."))
        let after = try await CurlIMAPSession(endpoint: servers.imapEndpoint(user: "support"), mailbox: "INBOX", logger: Logger(label: "test")).status()
        #expect(after.uidValidity != before.uidValidity)
        try await Self.harness(servers, afterImport: "leave", directory: harness.directory).run { (_, parts) async throws in
            #expect(try await eventually { try await Self.count(parts, "SELECT COUNT(*) FROM messages") == 2 })
            #expect(try await eventually { try await Self.count(parts, "SELECT COUNT(*) FROM events WHERE kind = 'deduplicated'") == 1 })
            #expect(try await Self.count(parts, "SELECT COUNT(*) FROM messages WHERE external_id = 'one@example.com'") == 1)
            let cursor = try await parts.store.intakeCursor(source: "mail", stream: "INBOX")
            #expect(cursor?.validity == Int64(after.uidValidity))
        }
    }

    @Test("an MTA pushes raw MIME; malformed samples are stored with warnings, never refused")
    func pushedMIME() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        try await Self.harness(servers).run { client, parts in
            for name in ["malformed-unterminated-boundary.eml", "malformed-invalid-base64.eml", "malformed-unknown-charset.eml",
                         "malformed-header-no-colon.eml", "malformed-truncated-header.eml"] {
                let raw = try Self.fixture(name)
                let response = try await client.execute(
                    uri: "/v1/inbound/mime/mail", method: .post, headers: [.contentType: "message/rfc822"],
                    body: ByteBuffer(bytes: raw))
                #expect(response.status == .accepted, "\(name)")
                let acceptance = try response.decode(MailAcceptance.self)
                let warnings = acceptance.warnings
                #expect(!warnings.isEmpty, "\(name) should carry a parse warning")
                let messageID = acceptance.messageID
                let stored = try await testDatabase(parts.sqlitePath).read { db in
                    try Row.fetchOne(db, sql: "SELECT raw_payload, metadata FROM messages WHERE id = ?", arguments: [messageID])
                }
                #expect(stored?["raw_payload"] == raw)
                #expect((stored?["metadata"] as String?)?.contains(warnings[0].prefix(20)) == true)
            }
            let unknown = try await client.execute(uri: "/v1/inbound/mime/nope", method: .post, headers: [:], body: ByteBuffer(string: "x"))
            #expect(unknown.status == .notFound)
        }
    }

    @Test("a backlog is imported in UID order, each message once, and every one marked seen")
    func backlog() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        let count = 300
        let session = CurlIMAPSession(endpoint: servers.imapEndpoint(user: "support"), mailbox: "INBOX", logger: Logger(label: "test"))
        defer { session.close() }
        for index in 0..<count {
            try await session.append(try Self.customerMail(
                from: "customer\(index % 40)@example.com", subject: "订单 \(index)", messageID: "backlog-\(index)@example.com",
                text: String(repeating: "我的订单还没有到，请帮忙查一下。 ", count: 30) + "#\(index)"))
        }
        let started = Date()
        try await Self.harness(servers).run { (_, parts) async throws in
            #expect(try await eventually(within: 120) { try await Self.count(parts, "SELECT COUNT(*) FROM messages") == count })
            let seconds = Date().timeIntervalSince(started)
            // Reported for the issue note, not asserted: timings belong to benchmarks.
            print("mailbox backlog: \(count) messages fetched and committed in \(String(format: "%.2f", seconds)) s (\(Int(Double(count) / seconds)) msg/s, includes start-up)")
            let order = try await testDatabase(parts.sqlitePath).read { db in
                try String.fetchAll(db, sql: "SELECT external_id FROM messages ORDER BY rowid")
            }
            #expect(order == (0..<count).map { "backlog-\($0)@example.com" })
            // The session that appended the backlog has sat idle meanwhile: it must recover its connection.
            let reader = session
            let status = try await reader.status()
            #expect(try await parts.store.intakeCursor(source: "mail", stream: "INBOX")?.position == Int64(status.uidNext) - 1)
            #expect(try await eventually {
                var seen = 0
                let uids = try await reader.uids(from: 1)
                for start in stride(from: 0, to: uids.count, by: 50) {
                    let batch = Array(uids[start..<min(start + 50, uids.count)])
                    seen += try await reader.fetch(uids: batch, expectedUIDValidity: status.uidValidity)
                        .filter { $0.flags.contains("\\Seen") }.count
                }
                return seen == count
            })
        }
    }
}
