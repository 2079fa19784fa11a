import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// What an outside probe found in round two: each test failed before its fix.
@Suite("Hostile input, round two, end to end")
struct HostileInputRoundTwoTests {
    private static func startConversation(_ client: any TestClientProtocol) async throws -> String {
        let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"zhang@example.com","text":"请问发票怎么开？"}"#)
        #expect(posted.status == .accepted)
        return try posted.decode(WebhookAcceptance.self).conversationID
    }

    private static func errorCode(_ response: TestResponse) throws -> String {
        try response.decode(ErrorAnswer.self).error.code
    }

    private static func errorMessage(_ response: TestResponse) throws -> String {
        try response.decode(ErrorAnswer.self).error.message
    }

    @Test("a variable name of 100,000 dots, or one that collides with another, is refused with 422 naming it; nothing is queued")
    func variableNames() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused", maxBodyBytes: 256 * 1024).run { client, parts in
            let conversation = try await Self.startConversation(client)
            let dotted = String(repeating: "a.", count: 100_000) + "b"
            let deep = try await client.send(
                .post, "/v1/outbox",
                json: #"{"conversation_id":"\#(conversation)","script":"delay-apology","variables":{"progress":"x","new_time":"18:00","\#(dotted)":"x"}}"#,
                token: GatewayHarness.agentToken)
            #expect(deep.status == .unprocessableContent)
            #expect(try Self.errorCode(deep) == "invalid_variable")
            #expect(try Self.errorMessage(deep).contains("'a.a.a.a."))
            #expect(deep.body.readableBytes < 1000, "the error quotes the whole name")

            let collision = try await client.send(
                .post, "/v1/outbox",
                json: #"{"conversation_id":"\#(conversation)","script":"delay-apology","variables":{"progress":"A","progress.x":"B","new_time":"18:00"}}"#,
                token: GatewayHarness.agentToken)
            #expect(collision.status == .unprocessableContent)
            #expect(try Self.errorCode(collision) == "invalid_variable")
            #expect(try Self.errorMessage(collision).contains("'progress.x'"))

            let queued = try await testDatabase(parts.sqlitePath).read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE automatic = 0") ?? -1
            }
            #expect(queued == 0)
        }
    }

    @Test("NUL and other C0 controls in JSON fields are refused with 400 naming the field; nothing is stored")
    func controlCharacters() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { client, parts in
            for (field, body) in [
                ("text", #"{"from":"a@example.com","text":"Thanks, all good.\u0000 我要投诉 宕机 紧急"}"#),
                ("external_id", #"{"from":"a@example.com","text":"hello","external_id":"k\u0000b"}"#),
                ("subject", #"{"from":"a@example.com","subject":"hi\u001b[2J","text":"hello"}"#),
            ] {
                let response = try await client.send(.post, "/v1/inbound/webhook/demo", json: body)
                #expect(response.status == .badRequest, "\(field)")
                #expect(try Self.errorCode(response) == "control_character")
                #expect(try Self.errorMessage(response).contains("'\(field)'"))
            }
            // Tab, line feed and carriage return are text.
            let fine = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"a@example.com","text":"line one\r\nline\ttwo"}"#)
            #expect(fine.status == .accepted)
            let conversation = try fine.decode(WebhookAcceptance.self).conversationID

            let text = try await client.send(
                .post, "/v1/outbox", json: #"{"conversation_id":"\#(conversation)","text":"Your refund of 100 CNY is approved.\u0000 Correction: refund denied."}"#,
                token: GatewayHarness.agentToken)
            #expect(text.status == .badRequest)
            #expect(try Self.errorMessage(text).contains("'text'"))
            let variable = try await client.send(
                .post, "/v1/outbox",
                json: #"{"conversation_id":"\#(conversation)","script":"delay-apology","variables":{"progress":"ok\u0000 denied","new_time":"18:00"}}"#,
                token: GatewayHarness.agentToken)
            #expect(variable.status == .badRequest)
            #expect(try Self.errorMessage(variable).contains("'variables.progress'"))

            let stored = try await testDatabase(parts.sqlitePath).read { db in
                (try String.fetchAll(db, sql: "SELECT text FROM messages"), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE automatic = 0") ?? -1)
            }
            #expect(stored.0 == ["line one\r\nline\ttwo"])
            #expect(stored.1 == 0)
        }
    }

    @Test("mail that carries NUL is stored as it was classified: the control shown as U+FFFD, with a warning")
    func controlCharactersInMail() async throws {
        let harness = try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused", maxBodyBytes: 64 * 1024,
            extraSources: """
                  - { id: mail, channel: email, address: support@localhost, thread_secret: { env: TEST_THREAD_SECRET } }
                """,
            environment: ["TEST_THREAD_SECRET": "thread-secret-for-the-nul-test-0001"])
        try await harness.run { client, parts in
            var mail = Data("From: a@example.com\r\nTo: support@localhost\r\nSubject: hi\r\nMessage-ID: <nul-1@example.com>\r\n\r\nThanks, all good.".utf8)
            mail.append(0)
            mail.append(contentsOf: Data(" 我要投诉，系统宕机，紧急！\r\n".utf8))
            let response = try await client.execute(
                uri: "/v1/inbound/mime/mail", method: .post, headers: [.contentType: "message/rfc822"], body: ByteBuffer(bytes: mail))
            #expect(response.status == .accepted)
            let acceptance = try response.decode(MailAcceptance.self)
            #expect(acceptance.warnings.contains { $0.contains("U+FFFD") })
            let messageID = acceptance.messageID
            let text = try await testDatabase(parts.sqlitePath).read { db in
                try String.fetchOne(db, sql: "SELECT text FROM messages WHERE id = ?", arguments: [messageID])
            }
            #expect(text?.contains("Thanks, all good.\u{FFFD} 我要投诉") == true, "\(text ?? "-")")
        }
    }

    @Test("JSON endpoints take application/json only; answers with customer data are not cached or sniffed")
    func mediaTypes() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { client, parts in
            let plain = try await client.execute(
                uri: "/v1/inbound/webhook/demo", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: #"{"from":"a@example.com","text":"hello"}"#))
            #expect(plain.status == .unsupportedMediaType)
            #expect(try Self.errorCode(plain) == "unsupported_media_type")
            let missing = try await client.execute(
                uri: "/v1/inbound/webhook/demo", method: .post, headers: [:], body: ByteBuffer(string: #"{"from":"a@example.com","text":"hello"}"#))
            #expect(missing.status == .unsupportedMediaType)
            let form = try await client.execute(
                uri: "/v1/outbox", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .authorization: "Bearer \(GatewayHarness.agentToken)"],
                body: ByteBuffer(string: #"{"conversation_id":"x","text":"hi"}"#))
            #expect(form.status == .unsupportedMediaType)
            let charset = try await client.execute(
                uri: "/v1/inbound/webhook/demo", method: .post, headers: [.contentType: "Application/JSON; charset=utf-8"],
                body: ByteBuffer(string: #"{"from":"a@example.com","text":"hello"}"#))
            #expect(charset.status == .accepted)
            let conversation = try charset.decode(WebhookAcceptance.self).conversationID
            let stored = try await testDatabase(parts.sqlitePath).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") }
            #expect(stored == 1)

            let detail = try await client.send(.get, "/v1/conversations/\(conversation)", token: GatewayHarness.agentToken)
            #expect(detail.status == .ok)
            #expect(detail.headers[.cacheControl] == "no-store")
            #expect(detail.headers[.xContentTypeOptions] == "nosniff")
            #expect(plain.headers[.cacheControl] == "no-store")
        }
    }

    @Test("a malformed chunked body is the client's error: 400, counted as 4xx, never 500", arguments: [
        "FFFFFFFFFFFFFFFFFF1\r\nab\r\n0\r\n\r\n",
        "5\nhello\n0\n\n",
    ])
    func malformedChunks(chunks: String) async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { client, _ in
            let port = try #require(client.port)
            let request = "POST /v1/inbound/webhook/demo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
            let connection = try RawConnection(port: port)
            connection.send(request)
            await connection.readResponse(within: 30)
            let statusLine = connection.text.split(separator: "\r\n").first.map(String.init) ?? ""
            #expect(!statusLine.contains(" 500 "), "\(statusLine)")
            #expect(statusLine.contains(" 400 "), "\(statusLine)")
            let metrics = String(buffer: try await client.send(.get, "/metrics").body)
            #expect(!metrics.contains(#"switchboard_http_responses_total{class="5xx"}"#), "a malformed body was counted as a server error")
        }
    }
}
