import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Customers' files through the webhook and Twilio channels over real HTTP: base64 files and URLs on allowed
/// hosts are kept with the message before it is acknowledged, a file over the source's limit leaves a record
/// of why and the message is still acknowledged, a URL elsewhere is refused, and Twilio media are fetched
/// with the account's credentials from a local stand-in for its API.
@Suite("Inbound attachments, end to end")
struct InboundAttachmentEndToEndTests {
    static let accountSID = "AC00000000000000000000000000000009"
    static let authToken = "twilio-auth-token-for-media-0001"
    static let publicURL = "https://sb.example.com"
    static let small = Data("%PDF-1.4\n订单截图\n%%EOF\n".utf8)
    static let oversized = Data(repeating: 0x41, count: 7000)

    static func harness(media: FakeMediaHost) throws -> GatewayHarness {
        try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused",
            extraSources: """
                  - id: files
                    channel: webhook
                    max_body_bytes: 262144
                    attachments: { max_bytes: 6000, max_total_bytes: 65536, max_count: 5, fetch_hosts: ["127.0.0.1:\(media.port)"] }
                  - id: tw
                    channel: sms
                    number: "+15005550006"
                    default_country_code: "86"
                    twilio:
                      base_url: http://127.0.0.1:\(media.port)
                      account_sid: \(accountSID)
                      auth_token: { env: TEST_TWILIO_TOKEN }
                """,
            environment: ["TEST_TWILIO_TOKEN": authToken], publicURL: publicURL)
    }

    static func files(_ client: any TestClientProtocol, _ parts: Gateway.Parts, conversationID: String) async throws -> [AttachmentAnswer] {
        let page = try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.agentToken).decode(ConversationPage.self)
        return page.messages.flatMap(\.attachments)
    }

    static func download(_ client: any TestClientProtocol, _ id: String?) async throws -> Data {
        let served = try await client.execute(
            uri: "/v1/attachments/\(try #require(id))", method: .get, headers: [.authorization: "Bearer \(GatewayHarness.agentToken)"], body: nil)
        #expect(served.status == .ok)
        return Data(buffer: served.body)
    }

    @Test("a base64 file and a URL on an allowed host are kept before the 202; a file over max_bytes is a refusal and the message is still acknowledged")
    func webhookFiles() async throws {
        let media = FakeMediaHost()
        await media.start()
        try await stopping(media) {
            try await Self.harness(media: media).run { client, parts in
                let body = """
                    {"from":"fay@example.com","text":"包裹破了，附上照片和截图","external_id":"files-1","attachments":[
                      {"filename":"截图.pdf","content_type":"application/pdf","data_base64":"\(Self.small.base64EncodedString())"},
                      {"url":"http://127.0.0.1:\(media.port)/file/photo.png","filename":"照片.png"},
                      {"filename":"video.mov","content_type":"video/quicktime","data_base64":"\(Self.oversized.base64EncodedString())"}]}
                    """
                let posted = try await client.send(.post, "/v1/inbound/webhook/files", json: body)
                #expect(posted.status == .accepted)
                let conversationID = try posted.decode(WebhookAcceptance.self).conversationID
                let files = try await Self.files(client, parts, conversationID: conversationID)
                #expect(files.map(\.name) == ["截图.pdf", "照片.png", "video.mov"])
                guard files.count == 3 else { return }
                #expect(try await Self.download(client, files[0].id) == Self.small)
                #expect(try await Self.download(client, files[1].id) == FakeMediaHost.bytes)
                #expect(files[1].detectedType == "png" && files[1].size == FakeMediaHost.bytes.count)
                #expect(files[2].id == nil && files[2].refusal?.code == "too_large" && files[2].refusal?.message.contains("6000") == true)
                let metrics = String(buffer: try await client.send(.get, "/metrics").body)
                #expect(metrics.contains(#"switchboard_attachments_refused_total{source="files",reason="too_large"} 1"#))

                // A photo on its own needs no text.
                let photoOnly = try await client.send(.post, "/v1/inbound/webhook/files", json: #"{"from":"gus@example.com","attachments":[{"data_base64":"\#(Self.small.base64EncodedString())"}]}"#)
                #expect(photoOnly.status == .accepted)
                let noText = try await client.send(.post, "/v1/inbound/webhook/files", json: #"{"from":"gus@example.com","attachments":[]}"#)
                #expect(noText.status == .badRequest)

                // The sender's retry stores nothing twice and fetches nothing again.
                let fetches = media.requests.count
                let again = try await client.send(.post, "/v1/inbound/webhook/files", json: body)
                #expect(try again.decode(WebhookAcceptance.self).duplicate)
                #expect(try await EmailTests.count(parts, "SELECT COUNT(*) FROM attachments") == 3)
                #expect(media.requests.count <= fetches + 1)
            }
        }
    }

    @Test("a URL outside the source's fetch_hosts is refused 422 naming the host, and nothing is stored or fetched")
    func urlOutsideAllowedHosts() async throws {
        let media = FakeMediaHost()
        await media.start()
        try await stopping(media) {
            try await Self.harness(media: media).run { client, parts in
                let body = #"{"from":"fay@example.com","text":"见附件","attachments":[{"url":"http://169.254.169.254/latest/meta-data/"}]}"#
                let refused = try await client.send(.post, "/v1/inbound/webhook/files", json: body)
                #expect(refused.status == .unprocessableContent)
                let error = try refused.decode(ErrorAnswer.self).error
                #expect(error.code == "invalid_attachment" && error.message.contains("169.254.169.254") && error.message.contains("files"))
                #expect(try await EmailTests.count(parts, "SELECT COUNT(*) FROM messages") == 0)
                #expect(media.requests.isEmpty)
            }
        }
    }

    @Test("a Twilio MMS's photo is fetched with the account's basic credentials before the commit and served back byte for byte")
    func twilioMedia() async throws {
        let media = FakeMediaHost(credentials: (Self.accountSID, Self.authToken))
        await media.start()
        try await stopping(media) {
            try await Self.harness(media: media).run { client, parts in
                let fields = [
                    "MessageSid": "MM-photo-1", "AccountSid": Self.accountSID, "From": "13800138000", "To": "+15005550006",
                    "Body": "快递盒子压坏了", "NumMedia": "1", "MediaUrl0": "http://127.0.0.1:\(media.port)/file/MEabc",
                    "MediaContentType0": "image/png",
                ]
                let signature = try TwilioReference.signature(authToken: Self.authToken, url: Self.publicURL + "/v1/inbound/sms/tw", parameters: fields)
                let posted = try await client.postForm(
                    "/v1/inbound/sms/tw", fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                    headers: [HTTPField.Name("X-Twilio-Signature")!: signature])
                #expect(posted.status == .ok)
                let conversationID = try #require(try await testDatabase(parts.sqlitePath).read { db in
                    try String.fetchOne(db, sql: "SELECT conversation_id FROM messages WHERE external_id = 'twilio:MM-photo-1'")
                })
                let files = try await Self.files(client, parts, conversationID: conversationID)
                #expect(files.count == 1)
                #expect(try await Self.download(client, files.first?.id) == FakeMediaHost.bytes)
                let expected = "Basic " + Data("\(Self.accountSID):\(Self.authToken)".utf8).base64EncodedString()
                #expect(media.requests.first { $0.path == "/file/MEabc" }?.authorization == expected)
            }
        }
    }
}
