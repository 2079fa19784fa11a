import Foundation
import Signing
import SwitchboardCore
import Testing
@testable import Channels

/// Each channel's inbound adapter on its own: what it proves, reads and answers, without the HTTP server.
@Suite("Inbound adapters: verify, read, acknowledge")
struct InboundChannelTests {
    static func request(_ body: String, headers: [String: String] = [:], endpoint: InboundRequest.Endpoint = .messages) -> InboundRequest {
        InboundRequest(endpoint: endpoint, method: "POST", target: "/v1/inbound/x/demo", headers: headers, body: Data(body.utf8))
    }

    static let result = IngestResult(messageID: "msg_1", conversationID: "conv_1", duplicate: false, newConversation: true, autoReplyID: nil, threadedBy: .new)

    @Test("an HMAC-signed webhook is genuine only with its header, matched case-insensitively; refusals name the header")
    func hmacSignature() {
        let signer = HMACSignature(secret: "s3cret-s3cret-s3cret")
        let adapter = WebhookInboundChannel(sourceID: "demo", signature: .hmacSHA256(signer, header: "X-Signature-256"))
        let body = #"{"from":"a@example.com","text":"hi"}"#
        #expect(adapter.verifiesRequests)
        #expect(adapter.verify(Self.request(body, headers: ["x-signature-256": signer.sign(Data(body.utf8))])) == nil)
        let missing = adapter.verify(Self.request(body))
        #expect(missing == InboundRefusal("header X-Signature-256 with the body's HMAC-SHA256 is missing", status: 401))
        let wrong = adapter.verify(Self.request(body + " ", headers: ["x-signature-256": signer.sign(Data(body.utf8))]))
        #expect(wrong?.reason == "header X-Signature-256 does not match the body's HMAC-SHA256")
        #expect(!WebhookInboundChannel(sourceID: "open", signature: .none).verifiesRequests)
    }

    @Test("a webhook body becomes one message for its source; what is wrong with it is named by code and field")
    func webhookRead() throws {
        let adapter = WebhookInboundChannel(sourceID: "demo", signature: .none)
        guard case let .messages(messages) = try adapter.read(Self.request(#"{"from":"  a@example.com ","text":"hi","external_id":"e1"}"#)) else {
            Issue.record("expected messages")
            return
        }
        #expect(messages.count == 1)
        #expect(messages.first?.source == "demo")
        #expect(messages.first?.sender == "a@example.com")
        #expect(messages.first?.externalID == "e1")
        #expect(messages.first?.channel == .webhook)

        func refusal(_ body: String) -> SwitchboardError? {
            do {
                _ = try adapter.read(Self.request(body))
                return nil
            } catch {
                return error
            }
        }
        #expect(refusal(#"{"text":"hi"}"#) == SwitchboardError(.invalidRequest, "field 'from' is required"))
        #expect(refusal("") == SwitchboardError(.invalidRequest, "request body is empty; expected a JSON object"))
        #expect(refusal(#"{"from":"a@example.com","text":"a\u0000b"}"#)?.code == .controlCharacter)
        #expect(refusal(String(repeating: "[", count: 40))?.message == "body nests objects or arrays deeper than 32 levels")
    }

    @Test("a webhook's answer is 202 JSON with the ids")
    func webhookAcknowledgement() {
        let adapter = WebhookInboundChannel(sourceID: "demo", signature: .none)
        let message = InboundMessage(channel: .webhook, source: "demo", externalID: nil, sender: "a", recipients: [], subject: nil, text: "t", receivedAt: Date())
        let answer = adapter.acknowledgement(.accepted([.init(message: message, result: Self.result)]))
        #expect(answer == .json(#"{"conversation_id":"conv_1","duplicate":false,"message_id":"msg_1"}"#, status: 202))
    }

    @Test("an empty MIME body is refused; a message's answer carries how it threaded and its warnings")
    func emailAdapter() throws {
        let source = EmailSource(id: "mail", address: "support@example.com", threadSecret: "thread-secret-0123456789")
        let adapter = EmailInboundChannel(normalizer: EmailNormalizer(source: source), signature: .none)
        #expect(throws: SwitchboardError(.invalidRequest, "request body is empty; expected an RFC 5322 message")) { try adapter.read(Self.request("")) }
        guard case let .messages(messages) = try adapter.read(Self.request("Subject: hi\r\n\r\nbody\u{1}text\r\n")), let message = messages.first else {
            Issue.record("expected a message")
            return
        }
        #expect(message.text.contains("\u{FFFD}"))
        #expect(message.sender == "unknown-sender@invalid")
        let answer = adapter.acknowledgement(.accepted([.init(message: message, result: Self.result)]))
        #expect(answer.status == 202)
        #expect(answer.body.hasPrefix(#"{"conversation_id":"conv_1","duplicate":false,"message_id":"msg_1","threaded_by":"new","warnings":["#))
        #expect(answer.body.contains("no From address and no Return-Path"))
    }
}
