import Benchmarks
import Curl
import Foundation
import Logging
import Testing

/// CurlIMAPSession and CurlSMTPClient against a real Dovecot and a real SMTP server (TestMailServers).
@Suite(.serialized)
struct CurlMailTransportTests {
    static let logger: Logger = {
        var logger = Logger(label: "curl-mail-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A message no line-based reader would return intact: UTF-8 Chinese, 8-bit bytes that are not UTF-8,
    /// lines that look like IMAP tagged and untagged responses, a line that is only a dot.
    static func trickyMessage(subject: String) -> Data {
        var message = Data(
            """
            From: Customer <customer@example.com>\r
            To: support@example.com\r
            Subject: \(subject)\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: 8bit\r
            \r
            你好，我的订单还没有到。\r
            A003 OK fake\r
            A004 OK fake\r
            * OK [UIDVALIDITY 1] fake\r
            ) fake\r
            .\r
            ..two dots\r

            """.utf8)
        message.append(contentsOf: [0x80, 0x81, 0xFE, 0xFF, 0xC3, 0x28, 0x20, 0x7F, 0x0D, 0x0A])
        message.append(contentsOf: Array("end\r\n".utf8))
        return message
    }

    static func uniqueUser() -> String { "user" + String(UUID().uuidString.prefix(8)).lowercased() }

    @Test func imapAppendStatusSearchFetchFlagAndMove() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        let user = Self.uniqueUser()
        let session = CurlIMAPSession(endpoint: servers.imapEndpoint(user: user), mailbox: "INBOX", logger: Self.logger)
        defer { session.close() }
        let message = Self.trickyMessage(subject: "订单 order 1")

        let before = try await session.status()
        #expect(before.messages == 0)
        let appended = try await session.append(message)
        let status = try await session.status()
        #expect(status.messages == 1)
        #expect(status.uidValidity == before.uidValidity)
        let uid = try #require(appended)
        #expect(status.uidNext == uid + 1)

        #expect(try await session.uids(from: 1) == [uid])
        #expect(try await session.uids(from: uid) == [uid])
        // `UID SEARCH UID n:*` answers the highest UID even when it is below n.
        #expect(try await session.uids(from: uid + 1) == [])
        #expect(try await session.uids(from: 1000) == [])

        let fetched = try await session.fetch(uids: [uid], expectedUIDValidity: status.uidValidity)
        #expect(fetched.count == 1)
        #expect(fetched.first?.uid == uid)
        #expect(fetched.first?.data == message)
        #expect(fetched.first?.flags.contains("\\Seen") == false)
        // Fetching did not set \Seen either.
        let again = try await session.fetch(uids: [uid], expectedUIDValidity: status.uidValidity)
        #expect(again.first?.flags.contains("\\Seen") == false)
        #expect(again.first?.data == message)
        // An independent reader sees the same bytes.
        #expect(try await servers.mailbox(user) == [message])

        try await session.addFlags(["\\Seen", "$Switchboard"], uids: [uid])
        let flagged = try await session.fetch(uids: [uid], expectedUIDValidity: status.uidValidity)
        #expect(flagged.first?.flags.contains("\\Seen") == true)
        #expect(flagged.first?.flags.contains("$Switchboard") == true)

        await #expect(throws: CurlError.self) {
            try await session.fetch(uids: [uid], expectedUIDValidity: status.uidValidity &+ 1)
        }
        do {
            _ = try await session.fetch(uids: [uid], expectedUIDValidity: status.uidValidity &+ 1)
        } catch {
            #expect(error.code == CurlError.uidValidityChanged)
        }

        try await session.createMailbox("Processed/已处理")
        try await session.createMailbox("Processed/已处理")  // already there: fine
        try await session.move(uids: [uid], to: "Processed/已处理")
        #expect(try await session.uids(from: 1) == [])
        #expect(try await session.fetch(uids: [uid], expectedUIDValidity: status.uidValidity).isEmpty)
        #expect(try await servers.mailbox(user, mailbox: "Processed/&XfJZBHQG-") == [message])
        #expect(try await servers.mailbox(user) == [])
    }

    /// Debian's libcurl 7.88 failed a command answered by more than about 80 to 140 lines (depending on
    /// their length) with "Too large response headers", so a mailbox whose messages carry a few keywords
    /// could not be fetched at the default batch size.
    @Test func imapFetchesAndMovesAWideBatchOfMessagesWithManyKeywords() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        let user = Self.uniqueUser()
        let session = CurlIMAPSession(endpoint: servers.imapEndpoint(user: user), mailbox: "INBOX", logger: Self.logger)
        defer { session.close() }

        let keywords = ["$Forwarded", "$NotJunk", "NonJunk", "$Label1", "$MailFlagBit0", "$Switchboard-Imported-From-Legacy-Helpdesk"]
        var uids: [UInt32] = []
        for index in 0..<160 {
            uids.append(try #require(try await session.append(Self.trickyMessage(subject: "wide \(index)"), flags: keywords)))
        }
        let status = try await session.status()
        let fetched = try await session.fetch(uids: uids, expectedUIDValidity: status.uidValidity)
        #expect(fetched.map(\.uid) == uids)
        #expect(fetched.allSatisfy { message in keywords.allSatisfy { message.flags.contains($0) } })
        #expect(fetched.allSatisfy { !$0.flags.contains("\\Seen") })

        try await session.createMailbox("Done")
        try await session.move(uids: uids, to: "Done")
        #expect(try await session.uids(from: 1) == [])
    }

    @Test func imapFetchesABatchAndSkipsMissingUIDs() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        let user = Self.uniqueUser()
        let session = CurlIMAPSession(endpoint: servers.imapEndpoint(user: user), mailbox: "INBOX", logger: Self.logger)
        defer { session.close() }

        var large = Self.trickyMessage(subject: "large")
        for index in 0..<20_000 { large.append(contentsOf: Array("line \(index) \u{00e9}\u{4e2d} A\(index) OK {12}\r\n".utf8)) }
        let messages = [Self.trickyMessage(subject: "batch 1"), large, Self.trickyMessage(subject: "batch 3")]
        var uids: [UInt32] = []
        for message in messages { uids.append(try #require(try await session.append(message, flags: ["$Imported"]))) }
        // A message appended already seen keeps \Seen.
        let seenUID = try #require(try await session.append(Self.trickyMessage(subject: "seen"), flags: ["\\Seen"]))
        let status = try await session.status()
        #expect(status.messages == 4)
        #expect(try await session.uids(from: uids[1]) == [uids[1], uids[2], seenUID])

        let fetched = try await session.fetch(uids: [uids[2], 999, uids[0], uids[1], seenUID], expectedUIDValidity: status.uidValidity)
        #expect(fetched.map(\.uid) == uids + [seenUID])
        #expect(fetched.prefix(3).map(\.data) == messages)
        #expect(fetched.prefix(3).allSatisfy { $0.flags.contains("$Imported") && !$0.flags.contains("\\Seen") })
        #expect(fetched.last?.flags.contains("\\Seen") == true)
        // Writing after a fetch (which left the mailbox examined) works.
        try await session.addFlags(["\\Flagged"], uids: [uids[0]])
        let after = try await session.fetch(uids: [uids[0]], expectedUIDValidity: status.uidValidity)
        #expect(after.first?.flags.contains("\\Flagged") == true)
        #expect(after.first?.flags.contains("\\Seen") == false)
    }

    @Test func imapSessionSurvivesTheServerDroppingIt() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        let user = Self.uniqueUser()
        let session = CurlIMAPSession(endpoint: servers.imapEndpoint(user: user), mailbox: "INBOX", logger: Self.logger)
        defer { session.close() }
        let message = Self.trickyMessage(subject: "kicked")
        let uid = try #require(try await session.append(message))
        let status = try await session.status()
        _ = try await session.fetch(uids: [uid], expectedUIDValidity: status.uidValidity)

        try servers.kick(user)
        let fetched = try await session.fetch(uids: [uid], expectedUIDValidity: status.uidValidity)
        #expect(fetched.first?.data == message)
        #expect(fetched.first?.flags.contains("\\Seen") == false)
        try servers.kick(user)
        try await session.addFlags(["\\Answered"], uids: [uid])
        try servers.kick(user)
        #expect(try await session.uids(from: 1) == [uid])
        let flags = try await session.fetch(uids: [uid], expectedUIDValidity: status.uidValidity).first?.flags ?? []
        #expect(flags.contains("\\Answered") && !flags.contains("\\Seen"))
    }

    @Test func startTLSIsRequiredWhenAsked() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        var imap = servers.imapEndpoint(user: Self.uniqueUser())
        imap.startTLS = true
        let session = CurlIMAPSession(endpoint: imap, mailbox: "INBOX", logger: Self.logger)
        defer { session.close() }
        do {
            _ = try await session.status()
            Issue.record("logged in without TLS")
        } catch {
            #expect(error.code == 64)  // CURLE_USE_SSL_FAILED: the server offers no STARTTLS
            #expect(!error.description.contains(TestMailServers.password))
        }
        var smtp = servers.smtpEndpoint()
        smtp.startTLS = true
        let client = CurlSMTPClient(endpoint: smtp, heloName: "gateway.example.com", logger: Self.logger)
        let result = await client.send(from: "support@example.com", recipients: ["someone@example.com"], message: Data("hi\r\n".utf8))
        guard case .failed(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(error.code == 64)
    }

    @Test func imapRefusesUnsafeInput() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        let session = CurlIMAPSession(endpoint: servers.imapEndpoint(user: Self.uniqueUser()), mailbox: "INBOX", logger: Self.logger)
        defer { session.close() }
        await #expect(throws: CurlError.self) { try await session.addFlags(["\\Seen) UID EXPUNGE 1:* ("], uids: [1]) }
        await #expect(throws: CurlError.self) { try await session.move(uids: [1], to: "Bad\r\nA1 LOGOUT") }
        let bad = CurlIMAPSession(
            endpoint: MailServerEndpoint(url: "imap://user:secret@127.0.0.1:\(servers.imapPort)"), mailbox: "INBOX", logger: Self.logger)
        do {
            _ = try await bad.status()
            Issue.record("credentials in the URL were accepted")
        } catch {
            #expect(!error.description.contains("secret"))
        }
    }

    @Test func imapWrongPasswordFailsWithoutShowingIt() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        var endpoint = servers.imapEndpoint(user: Self.uniqueUser())
        endpoint.password = "wrong-Pa55word-\(UUID().uuidString)"
        let session = CurlIMAPSession(endpoint: endpoint, mailbox: "INBOX", logger: Self.logger)
        defer { session.close() }
        do {
            _ = try await session.status()
            Issue.record("logged in with a wrong password")
        } catch {
            #expect(error.code == 67)  // CURLE_LOGIN_DENIED
            #expect(!error.description.contains(endpoint.password!))
            #expect(!"\(endpoint)".contains(endpoint.password!))
            #expect(!String(reflecting: endpoint).contains(endpoint.password!))
        }
    }

    @Test func smtpDeliversByteExactly() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        let user = Self.uniqueUser()
        let client = CurlSMTPClient(endpoint: servers.smtpEndpoint(), heloName: "gateway.example.com", logger: Self.logger)
        let message = Self.trickyMessage(subject: "回复 reply")
        let result = await client.send(from: "support@example.com", recipients: ["\(user)@example.com"], message: message)
        guard case .accepted(let reply) = result else {
            Issue.record("not accepted: \(result)")
            return
        }
        #expect(reply.hasPrefix("250 2.0.0 Ok: queued as "))
        #expect(try await servers.mailbox(user) == [message])
    }

    @Test func smtpReportsRejections() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        let user = Self.uniqueUser()
        let client = CurlSMTPClient(endpoint: servers.smtpEndpoint(), heloName: "gateway.example.com", logger: Self.logger)
        let message = Self.trickyMessage(subject: "retry")
        func send() async -> SMTPSendResult {
            await client.send(from: "support@example.com", recipients: ["\(user)@example.com"], message: message)
        }

        try servers.scriptSMTPReplies([451, 550])
        #expect(await send() == .rejected(code: 451, reply: "451 4.3.0 try again later"))
        guard case .rejected(550, let reply) = await send() else {
            Issue.record("550 not reported")
            return
        }
        #expect(reply.contains("5.1.1"))
        guard case .accepted = await send() else {
            Issue.record("not accepted after the scripted answers")
            return
        }
        #expect(try await servers.mailbox(user) == [message])

        try servers.scriptSMTPReplies([550], at: .rcpt)
        #expect(await send() == .rejected(code: 550, reply: "550 5.1.1 mailbox unavailable"))
        try servers.scriptSMTPReplies([452], at: .rcpt)
        #expect(await send() == .rejected(code: 452, reply: "452 4.3.0 try again later"))

        #expect(
            await client.send(from: "support@example.com", recipients: ["a@example.com\r\nRCPT TO:<b@example.com>"], message: message)
                == .rejected(code: 501, reply: "local: recipient address is empty or contains CR, LF, NUL or angle brackets"))
        #expect(try await servers.mailbox(user).count == 1)
    }

    @Test func smtpUnreachableServerFails() async throws {
        let port = try LoopbackPort.free()
        let client = CurlSMTPClient(
            endpoint: MailServerEndpoint(url: "smtp://127.0.0.1:\(port)", connectTimeout: .seconds(2), timeout: .seconds(5)), heloName: "gateway.example.com",
            logger: Self.logger)
        let result = await client.send(from: "support@example.com", recipients: ["someone@example.com"], message: Data("hi\r\n".utf8))
        guard case .failed(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(error.code == 7)  // CURLE_COULDNT_CONNECT
    }
}
