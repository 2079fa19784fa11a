import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("SMS through a Twilio-compatible provider, end to end")
struct TwilioTests {
    static let authToken = "twilio-auth-token-for-tests-0001"
    static let accountSID = "AC00000000000000000000000000000001"
    static let publicURL = "https://sb.example.com"

    static func harness(provider: FakeTwilioAPI, maxSegments: Int = 6) throws -> GatewayHarness {
        try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused",
            extraSources: """
                  - id: tw
                    channel: sms
                    number: "+15005550006"
                    default_country_code: "86"
                    max_segments: \(maxSegments)
                    send_rate: 50
                    twilio:
                      base_url: \(provider.baseURL)
                      account_sid: \(accountSID)
                      auth_token: { env: TEST_TWILIO_TOKEN }
                """,
            environment: ["TEST_TWILIO_TOKEN": authToken], publicURL: publicURL)
    }

    /// Posts a form to `path` signed as Twilio signs it, by the twilio package.
    static func postSigned(_ client: any TestClientProtocol, _ path: String, _ fields: [String: String], signedURL: String? = nil) async throws -> TestResponse {
        let signature = try TwilioReference.signature(authToken: authToken, url: signedURL ?? publicURL + path, parameters: fields)
        return try await client.postForm(path, fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, headers: [HTTPField.Name("X-Twilio-Signature")!: signature])
    }

    static func inbound(_ text: String, sid: String, from: String = "13800138000") -> [String: String] {
        ["MessageSid": sid, "AccountSid": accountSID, "From": from, "To": "+15005550006", "Body": text, "NumMedia": "0"]
    }

    @Test("signatures: valid accepted; tampered body, wrong URL and missing header refused with 403 and counted")
    func signatures() async throws {
        let provider = FakeTwilioAPI()
        try await provider.start()
        try await stopping(provider) {
            try await Self.harness(provider: provider).run { (client, parts) async throws in
                let fields = Self.inbound("我的订单还没到", sid: "SM-valid")
                let valid = try await Self.postSigned(client, "/v1/inbound/sms/tw", fields)
                #expect(valid.status == .ok)
                #expect(String(buffer: valid.body).contains("<Response></Response>"))

                let signature = try TwilioReference.signature(authToken: Self.authToken, url: Self.publicURL + "/v1/inbound/sms/tw", parameters: fields)
                var tampered = fields
                tampered["Body"] = "我的订单还没到!"
                tampered["MessageSid"] = "SM-tampered"
                let refusedBody = try await client.postForm("/v1/inbound/sms/tw", tampered.map { ($0.key, $0.value) }, headers: [HTTPField.Name("X-Twilio-Signature")!: signature])
                #expect(refusedBody.status == .forbidden)
                #expect(String(buffer: refusedBody.body).contains("X-Twilio-Signature does not match"))
                #expect(!String(buffer: refusedBody.body).contains(Self.authToken))

                let wrongURL = try await Self.postSigned(
                    client, "/v1/inbound/sms/tw", Self.inbound("hello", sid: "SM-wrong-url"), signedURL: "https://evil.example.com/v1/inbound/sms/tw")
                #expect(wrongURL.status == .forbidden)

                let missing = try await client.postForm("/v1/inbound/sms/tw", Self.inbound("hello", sid: "SM-missing").map { ($0.key, $0.value) })
                #expect(missing.status == .forbidden)
                #expect(String(buffer: missing.body).contains("X-Twilio-Signature header is missing"))

                let stored = try testDatabase(parts.sqlitePath).read { db in
                    try Row.fetchAll(db, sql: "SELECT sender, external_id, text FROM messages WHERE channel = 'sms'")
                }
                #expect(stored.count == 1)
                #expect(stored.first?["sender"] as String? == "+8613800138000")
                #expect(stored.first?["external_id"] as String? == "twilio:SM-valid")
                let metrics = String(buffer: try await client.send(.get, "/metrics").body)
                #expect(metrics.contains(#"switchboard_inbound_rejections_total{source="tw",reason="signature"} 3"#))
            }
        }
    }

    @Test("MO → conversation; a retried callback is stored once; the next message joins the open conversation")
    func threadingAndDeduplication() async throws {
        let provider = FakeTwilioAPI()
        try await provider.start()
        try await stopping(provider) {
            try await Self.harness(provider: provider).run { (client, parts) async throws in
                let first = try await Self.postSigned(client, "/v1/inbound/sms/tw", Self.inbound("订单号 A123 还没发货", sid: "SM-a"))
                #expect(first.status == .ok)
                let retried = try await Self.postSigned(client, "/v1/inbound/sms/tw", Self.inbound("订单号 A123 还没发货", sid: "SM-a"))
                #expect(retried.status == .ok)
                // The same customer, written with the country code this time.
                let second = try await Self.postSigned(client, "/v1/inbound/sms/tw", Self.inbound("请尽快", sid: "SM-b", from: "+86 138 0013 8000"))
                #expect(second.status == .ok)
                let rows = try testDatabase(parts.sqlitePath).read { db in
                    try Row.fetchAll(db, sql: "SELECT conversation_id, threaded_by FROM messages WHERE channel = 'sms' AND direction = 'inbound' ORDER BY received_at")
                }
                #expect(rows.count == 2)
                #expect(rows.count == 2 && rows[0]["conversation_id"] as String? == rows[1]["conversation_id"] as String?)
            }
        }
    }

    @Test("reply → REST Messages with basic auth → 429 honoured → sent → status callbacks, twice and out of order → delivered")
    func deliveryStatus() async throws {
        let provider = FakeTwilioAPI(answers: [.init(status: 429, headers: ["Retry-After": "1"])])
        try await provider.start()
        try await stopping(provider) {
            try await Self.harness(provider: provider).run { (client, parts) async throws in
                let posted = try await Self.postSigned(client, "/v1/inbound/sms/tw", Self.inbound("请问发票怎么开？", sid: "SM-in-1"))
                #expect(posted.status == .ok)
                let conversationID = try #require(try await testDatabase(parts.sqlitePath).read { db in
                    try String.fetchOne(db, sql: "SELECT conversation_id FROM messages WHERE external_id = 'twilio:SM-in-1'")
                })
                // The acknowledgement is throttled once (429, Retry-After: 1), then accepted.
                #expect(try await eventually { provider.submissions.count >= 2 })
                let throttled = provider.submissions[0], accepted = provider.submissions[1]
                #expect(accepted.at - throttled.at >= .milliseconds(900))
                #expect(accepted.accountSID == Self.accountSID)
                #expect(accepted.authorization == "Basic " + Data("\(Self.accountSID):\(Self.authToken)".utf8).base64EncodedString())
                #expect(accepted.form["To"] == "+8613800138000")
                #expect(accepted.form["From"] == "+15005550006")
                #expect(accepted.form["Body"]?.contains("工单") == true)
                let callback = try #require(accepted.form["StatusCallback"])
                #expect(callback.hasPrefix(Self.publicURL + "/v1/inbound/sms/tw/report?outbox=out_"))

                let outboxID = try #require(callback.split(separator: "=").last.map(String.init))
                #expect(try await eventually { try await parts.store.outboxEntry(id: outboxID)?.status == .sent })
                #expect(try await parts.store.outboxEntry(id: outboxID)?.providerMessageID == String(format: "SM%032d", 1))

                let path = String(callback.dropFirst(Self.publicURL.count))
                let sid = String(format: "SM%032d", 1)
                let delivered = ["MessageSid": sid, "MessageStatus": "delivered", "AccountSid": Self.accountSID]
                #expect(try await Self.postSigned(client, path, delivered).status == .ok)
                #expect(try await parts.store.outboxEntry(id: outboxID)?.status == .delivered)
                #expect(try await Self.postSigned(client, path, delivered).status == .ok)  // twice
                let late = ["MessageSid": sid, "MessageStatus": "sent", "AccountSid": Self.accountSID]
                #expect(try await Self.postSigned(client, path, late).status == .ok)  // out of order
                let failedLate = ["MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30003", "AccountSid": Self.accountSID]
                #expect(try await Self.postSigned(client, path, failedLate).status == .ok)
                #expect(try await parts.store.outboxEntry(id: outboxID)?.status == .delivered)

                let events = try await testDatabase(parts.sqlitePath).read { db in
                    try String.fetchAll(db, sql: "SELECT detail FROM events WHERE subject_id = ? AND kind = 'delivery_report' ORDER BY seq", arguments: [outboxID])
                }
                #expect(events.count == 4)
                #expect(events.filter { $0.contains(#""result":"unchanged""#) }.count == 3)

                // A report with an unknown sid and no outbox id is answered 200 and changes nothing.
                let unknown = ["MessageSid": "SM-nobody", "MessageStatus": "delivered"]
                #expect(try await Self.postSigned(client, "/v1/inbound/sms/tw/report", unknown).status == .ok)
                _ = conversationID
            }
        }
    }

    @Test("a delivery report that overtakes the submission's answer is kept; the answer only adds the sid")
    func reportBeforeSubmitResponse() async throws {
        let provider = FakeTwilioAPI()
        try await provider.start()
        try await stopping(provider) {
            let harness = try Self.harness(provider: provider)
            try await harness.run { (client, parts) async throws in
                provider.setBeforeAnswer { sid in
                    let submission = provider.submissions.last
                    guard let callback = submission?.form["StatusCallback"] else { return }
                    let path = String(callback.dropFirst(Self.publicURL.count))
                    _ = try? await Self.postSigned(client, path, ["MessageSid": sid, "MessageStatus": "delivered"])
                }
                #expect(try await Self.postSigned(client, "/v1/inbound/sms/tw", Self.inbound("请问发票怎么开？", sid: "SM-in-2")).status == .ok)
                #expect(try await eventually { provider.submissions.count == 1 })
                let callback = try #require(provider.submissions.first?.form["StatusCallback"])
                let outboxID = try #require(callback.split(separator: "=").last.map(String.init))
                #expect(try await eventually {
                    let entry = try await parts.store.outboxEntry(id: outboxID)
                    return entry?.providerMessageID != nil
                })
                let entry = try #require(try await parts.store.outboxEntry(id: outboxID))
                #expect(entry.status == .delivered)
                #expect(entry.providerMessageID == String(format: "SM%032d", 1))
            }
        }
    }

    @Test("a reply over the segment limit is refused before it is queued; a long Chinese reply is UCS-2")
    func segmentLimit() async throws {
        let provider = FakeTwilioAPI()
        try await provider.start()
        try await stopping(provider) {
            try await Self.harness(provider: provider, maxSegments: 2).run { (client, parts) async throws in
                #expect(try await Self.postSigned(client, "/v1/inbound/sms/tw", Self.inbound("请问发票怎么开？", sid: "SM-in-3")).status == .ok)
                let conversationID = try #require(try await testDatabase(parts.sqlitePath).read { db in
                    try String.fetchOne(db, sql: "SELECT conversation_id FROM messages WHERE external_id = 'twilio:SM-in-3'")
                })
                let long = String(repeating: "您好，发票会在三个工作日内开具。", count: 10)  // 160 characters: 3 UCS-2 segments
                let refused = try await client.send(
                    .post, "/v1/outbox", json: #"{"conversation_id":"\#(conversationID)","text":"\#(long)"}"#, token: GatewayHarness.agentToken)
                #expect(refused.status == .unprocessableContent)
                let error = try refused.decode(ErrorAnswer.self).error
                #expect(error.code == "reply_too_long")
                #expect(error.message.contains("3 SMS segments"))
                #expect(error.message.contains("at most 2"))

                let fits = String(repeating: "您好，发票会在三个工作日内开具。", count: 6)  // 96 characters: 2 segments
                let accepted = try await client.send(
                    .post, "/v1/outbox", json: #"{"conversation_id":"\#(conversationID)","text":"\#(fits)"}"#, token: GatewayHarness.agentToken)
                #expect(accepted.status == .accepted || accepted.status == .created)
                let outboxID = try accepted.decode(OutboxEntryAnswer.self).id
                #expect(try await eventually { try await parts.store.outboxEntry(id: outboxID)?.status == .sent })
                #expect(provider.submissions.last?.form["Body"] == fits)
                let detail = try await testDatabase(parts.sqlitePath).read { db in
                    try String.fetchOne(db, sql: "SELECT detail FROM events WHERE subject_id = ? AND kind = 'delivery_attempt'", arguments: [outboxID])
                }
                #expect(detail?.contains("2 UCS-2 segment(s)") == true)
            }
        }
    }
}
