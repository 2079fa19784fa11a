import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Agents' files over real HTTP: uploaded raw or as a form, served back byte for byte with the headers that
/// keep a browser from running them, scoped like the conversations they belong to, sent with a webhook reply,
/// and refused with a clear 422 where the channel cannot carry them.
@Suite("Attachments, end to end")
struct AttachmentTests {
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8) + (0..<2000).map { UInt8($0 % 251) })
    static let bobToken = "bob-agent-token-for-tests-1"
    static let shopAgentToken = "shop-agent-token-for-tests1"
    static let sueToken = "sue-supervisor-token-for-t1"

    static func harness(replies: String) throws -> GatewayHarness {
        try GatewayHarness(
            replyURL: replies, maxBodyBytes: 8192,
            extraSources: """
                  - id: kan
                    channel: sms
                    number: "10690000"
                    default_country_code: "86"
                    kannel:
                      sendsms_url: http://127.0.0.1:9/cgi-bin/sendsms
                      username: switchboard
                      password: { env: TEST_KANNEL_PASSWORD }
                      inbound_secret: { env: TEST_KANNEL_SECRET }
                """,
            environment: [
                "TEST_KANNEL_PASSWORD": "kannel-password-0001", "TEST_KANNEL_SECRET": "kannel-secret-0001",
                "TEST_BOB": bobToken, "TEST_SHOP_AGENT": shopAgentToken, "TEST_SUE": sueToken,
            ],
            extraTokens: """
                  - { id: bob, name: Bob, role: agent, token: { env: TEST_BOB } }
                  - { id: shop-agent, role: agent, sources: [shop], token: { env: TEST_SHOP_AGENT } }
                  - { id: sue, role: supervisor, token: { env: TEST_SUE } }
                """)
    }

    static func upload(
        _ client: any TestClientProtocol, _ content: Data, type: String, query: String = "", token: String = GatewayHarness.agentToken
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/attachments\(query)", method: .post, headers: [.contentType: type, .authorization: "Bearer \(token)"],
            body: ByteBuffer(data: content))
    }

    static func get(_ client: any TestClientProtocol, _ id: String, token: String = GatewayHarness.agentToken) async throws -> TestResponse {
        try await client.execute(uri: "/v1/attachments/\(id)", method: .get, headers: [.authorization: "Bearer \(token)"], body: nil)
    }

    static func conversation(_ client: any TestClientProtocol, source: String = "demo", from: String = "fay@example.com") async throws -> String {
        let posted = try await client.send(.post, "/v1/inbound/webhook/\(source)", json: #"{"from":"\#(from)","text":"请问退货怎么办理？"}"#)
        #expect(posted.status == .accepted)
        return try posted.decode(WebhookAcceptance.self).conversationID
    }

    @Test("an upload with a Chinese name goes out with the agent's webhook reply, byte for byte, and is served back inline as the PNG it is")
    func uploadRepliedAndServed() async throws {
        let receiver = ReplyReceiver()
        try await receiver.start()
        try await stopping(receiver) {
            try await Self.harness(replies: receiver.url).run { client, _ in
                let conversationID = try await Self.conversation(client)
                // 退货标签.png
                let uploaded = try await Self.upload(client, Self.png, type: "image/png", query: "?filename=%E9%80%80%E8%B4%A7%E6%A0%87%E7%AD%BE.png")
                #expect(uploaded.status == .created)
                let file = try uploaded.decode(AttachmentAnswer.self)
                let id = try #require(file.id)
                #expect(uploaded.headers[.location] == "/v1/attachments/\(id)")
                #expect(file.name == "退货标签.png" && file.size == Self.png.count && file.detectedType == "png" && file.sha256?.count == 64)

                let served = try await Self.get(client, id)
                #expect(served.status == .ok)
                #expect(Data(buffer: served.body) == Self.png)
                #expect(served.headers[.contentType] == "image/png")
                #expect(served.headers[.contentDisposition] == "inline; filename=\"____.png\"; filename*=UTF-8''%E9%80%80%E8%B4%A7%E6%A0%87%E7%AD%BE.png")
                #expect(served.headers[.xContentTypeOptions] == "nosniff")
                #expect(served.headers[.contentSecurityPolicy]?.hasPrefix("sandbox") == true)

                let reply = try await client.send(
                    .post, "/v1/outbox", json: #"{"conversation_id":"\#(conversationID)","text":"退货标签见附件。","attachments":["\#(id)"]}"#,
                    token: GatewayHarness.agentToken)
                #expect(reply.status == .created)
                let delivered = try await eventually {
                    receiver.received.contains { (try? APIAnswers.decoder.decode(ReplyPayload.self, from: $0.body))?.attachments != nil }
                }
                #expect(delivered)
                let payload = try #require(receiver.received.compactMap { try? APIAnswers.decoder.decode(ReplyPayload.self, from: $0.body) }
                    .first { $0.attachments != nil })
                #expect(payload.text == "退货标签见附件。")
                let sent = try #require(payload.attachments?.first)
                #expect(sent.filename == "退货标签.png" && sent.contentType == "image/png" && sent.size == Self.png.count)
                #expect(Data(base64Encoded: sent.dataBase64) == Self.png)
            }
        }
    }

    @Test("an HTML page sent as photo.png is served as a download of opaque bytes, never as a page or an image")
    func mislabelledHTMLIsADownload() async throws {
        try await Self.harness(replies: "http://127.0.0.1:9/unused").run { client, _ in
            let boundary = "----form-boundary-7MA4YWxkTrZu0gW"
            let html = "<!doctype html><script>alert(document.cookie)</script>"
            let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.png\"\r\nContent-Type: image/png\r\n\r\n\(html)\r\n--\(boundary)--\r\n"
            let uploaded = try await Self.upload(client, Data(body.utf8), type: "multipart/form-data; boundary=\(boundary)")
            #expect(uploaded.status == .created)
            let file = try uploaded.decode(AttachmentAnswer.self)
            #expect(file.name == "photo.png" && file.contentType == "image/png" && file.detectedType == "html")
            let served = try await Self.get(client, try #require(file.id))
            #expect(String(buffer: served.body) == html)
            #expect(served.headers[.contentType] == "application/octet-stream")
            #expect(served.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            #expect(served.headers[.xContentTypeOptions] == "nosniff")
            #expect(served.headers[.contentSecurityPolicy]?.hasPrefix("sandbox") == true)
        }
    }

    @Test("files are scoped: an upload is its uploader's (and supervisors') until a reply takes it, then its conversation's; others get 404")
    func scoped() async throws {
        try await Self.harness(replies: "http://127.0.0.1:9/unused").run { client, _ in
            let conversationID = try await Self.conversation(client)
            let id = try #require(try await Self.upload(client, Self.png, type: "image/png").decode(AttachmentAnswer.self).id)
            #expect(try await Self.get(client, id, token: Self.bobToken).status == .notFound)
            #expect(try await Self.get(client, id, token: Self.sueToken).status == .ok)
            #expect(try await Self.get(client, id, token: GatewayHarness.agentToken).status == .ok)
            let reply = try await client.send(
                .post, "/v1/outbox", json: #"{"conversation_id":"\#(conversationID)","text":"见附件","attachments":["\#(id)"]}"#,
                token: GatewayHarness.agentToken)
            #expect(reply.status == .created)
            // Now the demo conversation's: any agent who sees it, not a token scoped to another source.
            #expect(try await Self.get(client, id, token: Self.bobToken).status == .ok)
            #expect(try await Self.get(client, id, token: Self.shopAgentToken).status == .notFound)
            #expect(try await Self.get(client, "att_000000000000ffffffffffffffff").status == .notFound)
            #expect(try await client.execute(uri: "/v1/attachments/\(id)", method: .get, headers: [:], body: nil).status == .unauthorized)
        }
    }

    @Test("a reply with files on an SMS source, or naming a file that is no upload, is refused 422 and nothing is queued")
    func refusedReplies() async throws {
        try await Self.harness(replies: "http://127.0.0.1:9/unused").run { client, parts in
            let sms = try await client.execute(
                uri: "/v1/inbound/sms/kan?secret=kannel-secret-0001&from=8613700137000&to=10690000&text=hello&coding=0&charset=UTF-8&id=k1",
                method: .get, headers: [:], body: nil)
            #expect(sms.status == .ok)
            let smsConversation = try #require(try await parts.store.conversations(customer: "+8613700137000", limit: 5, sources: ["kan"]).first?.id)
            let id = try #require(try await Self.upload(client, Self.png, type: "image/png").decode(AttachmentAnswer.self).id)
            let onSMS = try await client.send(
                .post, "/v1/outbox", json: #"{"conversation_id":"\#(smsConversation)","text":"照片","attachments":["\#(id)"]}"#,
                token: GatewayHarness.agentToken)
            #expect(onSMS.status == .unprocessableContent)
            let smsError = try onSMS.decode(ErrorAnswer.self).error
            #expect(smsError.code == "media_not_supported" && smsError.message.contains("kan"))

            let webConversation = try await Self.conversation(client)
            let unknown = try await client.send(
                .post, "/v1/outbox", json: #"{"conversation_id":"\#(webConversation)","text":"见附件","attachments":["att_nothing"]}"#,
                token: GatewayHarness.agentToken)
            #expect(unknown.status == .unprocessableContent)
            #expect(try unknown.decode(ErrorAnswer.self).error.code == "invalid_attachment")
            for conversationID in [smsConversation, webConversation] {
                let detail = try #require(try await parts.store.conversationDetail(id: conversationID, page: .init()))
                #expect(!detail.outbox.contains { !$0.automatic })
            }
            let empty = try await Self.upload(client, Data(), type: "image/png")
            #expect(empty.status == .badRequest)
            let untyped = try await client.execute(
                uri: "/v1/attachments", method: .post, headers: [.authorization: "Bearer \(GatewayHarness.agentToken)"], body: ByteBuffer(data: Self.png))
            #expect(untyped.status == .unsupportedMediaType)
        }
    }
}
