import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Signing
import SwitchboardCore
import Testing

@Suite("Inbound webhooks, end to end")
struct InboundTests {
    @Test("a message is classified, queued and explained; its acknowledgement commits with it")
    func classifiedAndQueued() async throws {
        let receiver = ReplyReceiver()
        try await receiver.start()
        try await stopping(receiver) {
            try await GatewayHarness(replyURL: receiver.url).run { client, _ in
                let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"wang@example.com","subject":"投訴","text":"你們客服態度太差了，我要投訴到消費者協會！","external_id":"ext-1"}"#)
                #expect(posted.status == .accepted)
                let acceptance = try posted.decode(WebhookAcceptance.self)
                let conversationID = acceptance.conversationID
                #expect(acceptance.messageID.hasPrefix("msg_"))

                let detail = try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.agentToken)
                #expect(detail.status == .ok)
                let page = try detail.decode(ConversationPage.self)
                let conversation = page.conversation
                #expect(conversation.sentiment == "negative")
                #expect(conversation.queue == "escalations")
                #expect(conversation.priority == 1)
                #expect(conversation.slaDueAt != nil)
                let messages = page.messages
                #expect(messages.count == 1)
                let classification = try #require(messages.first?.classification)
                #expect(classification.route.routeID == "escalation-threat")
                // Terms are folded to Simplified; the match keeps the customer's own Traditional text and position.
                let anger = try #require(classification.matches.first { $0.signal == "anger" && $0.text == "態度太差" })
                #expect(anger.term == "态度太差")
                #expect(anger.start == 12)
                #expect(classification.rulesVersion.count == 16)
                // The intent and the strength are stored and shown with the rest of the classification.
                #expect(classification.intent == "legal_threat")
                #expect(classification.sentimentStrength == "strong")
                #expect(classification.matches.contains { $0.classifier == "intent" && $0.signal == "intent-legal-threat" })
                let outbox = page.outbox
                #expect(outbox.count == 1)
                #expect(outbox.first?.automatic == true)
                #expect(page.events.map(\.kind).prefix(3) == ["received", "classified", "reply_queued"])

                let queues = try await client.send(.get, "/v1/queues", token: GatewayHarness.agentToken)
                let list = try queues.decode(QueueList.self).queues
                #expect(list.first { $0.id == "escalations" }?.open == 1)
                let inQueue = try await client.send(.get, "/v1/queues/escalations/conversations", token: GatewayHarness.agentToken)
                #expect(try inQueue.decode(ConversationList.self).conversations.first?.id == conversationID)

                // The acknowledgement reaches the customer's system, signed, and says who and when.
                #expect(try await eventually { receiver.received.count == 1 })
                let reply = try #require(receiver.received.first)
                let payload = try APIAnswers.decode(ReplyPayload.self, from: reply.body)
                #expect(payload.conversationID == conversationID)
                #expect(payload.to == "wang@example.com")
                let text = payload.text
                #expect(text.contains(Conversation.referenceFor(id: conversationID)))
                #expect(!text.contains("尽快"))
            }
        }
    }

    @Test("a repeated external_id from the same source is stored once and answered with the same ids")
    func duplicateExternalID() async throws {
        let receiver = ReplyReceiver()
        try await receiver.start()
        try await stopping(receiver) {
            try await GatewayHarness(replyURL: receiver.url).run { client, parts in
                let body = #"{"from":"a@example.com","text":"where is my order?","external_id":"same-1"}"#
                let first = try await client.send(.post, "/v1/inbound/webhook/demo", json: body)
                let second = try await client.send(.post, "/v1/inbound/webhook/demo", json: body)
                #expect(first.status == .accepted && second.status == .accepted)
                let firstAcceptance = try first.decode(WebhookAcceptance.self)
                let secondAcceptance = try second.decode(WebhookAcceptance.self)
                #expect(firstAcceptance.messageID == secondAcceptance.messageID)
                #expect(secondAcceptance.duplicate == true)
                let stored = try await testDatabase(parts.sqlitePath).read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages WHERE external_id = 'same-1'")
                }
                #expect(stored == 1)
                // The same external id from another customer source is a different message.
                let other = try await client.send(.post, "/v1/inbound/webhook/shop", json: body, headers: signedHeaders(body))
                #expect(other.status == .accepted)
                #expect(try other.decode(WebhookAcceptance.self).messageID != firstAcceptance.messageID)
            }
        }
    }

    @Test("bad input gets a 4xx that names the problem")
    func badInput() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { client, _ in
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("{not json", .badRequest, "not valid JSON"),
                (#"{"text":"hi"}"#, .badRequest, "field 'from' is required"),
                (#"{"from":"a@example.com"}"#, .badRequest, "field 'text' is required"),
                (#"{"from":"a@example.com","text":42}"#, .badRequest, "field 'text' must be a string"),
                (#"{"from":"a@example.com","text":"   "}"#, .badRequest, "field 'text' must not be empty"),
                (#"["a"]"#, .badRequest, "JSON object"),
                (#"{"from":"a@example.com","text":"\#(String(repeating: "x", count: 5000))"}"#, .contentTooLarge, "the limit is 4096"),
            ]
            for (body, status, message) in cases {
                let response = try await client.send(.post, "/v1/inbound/webhook/demo", json: body)
                #expect(response.status == status, "\(body.prefix(40))")
                let error = try response.decode(ErrorAnswer.self).error
                #expect(error.message.contains(message), "\(body.prefix(40)): \(error)")
            }
            let invalidUTF8 = try await client.execute(
                uri: "/v1/inbound/webhook/demo", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(bytes: Array(#"{"from":"a@example.com","text":""#.utf8) + [0xff, 0xfe] + Array(#""}"#.utf8)))
            #expect(invalidUTF8.status == .badRequest)
            let unknown = try await client.send(.post, "/v1/inbound/webhook/nope", json: #"{"from":"a","text":"b"}"#)
            #expect(unknown.status == .notFound)
        }
    }

    @Test("a signed source refuses unsigned, tampered and stale requests and accepts a genuine one")
    func inboundSignatures() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { client, _ in
            let body = #"{"from":"a@example.com","text":"hello"}"#
            let unsigned = try await client.send(.post, "/v1/inbound/webhook/shop", json: body)
            #expect(unsigned.status == .unauthorized)
            #expect(try unsigned.decode(ErrorAnswer.self).error.message.contains("webhook-id"))
            let tampered = try await client.send(.post, "/v1/inbound/webhook/shop", json: body.replacingOccurrences(of: "hello", with: "HELLO"), headers: signedHeaders(body))
            #expect(tampered.status == .unauthorized)
            let stale = try await client.send(.post, "/v1/inbound/webhook/shop", json: body, headers: signedHeaders(body, at: Date().addingTimeInterval(-600)))
            #expect(stale.status == .unauthorized)
            #expect(try stale.decode(ErrorAnswer.self).error.message.contains("300 seconds"))
            let genuine = try await client.send(.post, "/v1/inbound/webhook/shop", json: body, headers: signedHeaders(body))
            #expect(genuine.status == .accepted)
        }
    }

    @Test("no 2xx unless committed: a failing transaction answers 503 and leaves nothing behind")
    func ackAfterCommit() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { client, parts in
            let database = try testDatabase(parts.sqlitePath)
            try await database.write { db in
                try db.execute(sql: """
                    CREATE TRIGGER fail_message BEFORE INSERT ON messages WHEN NEW.text LIKE '%FAIL-MESSAGE%'
                    BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END;
                    CREATE TRIGGER fail_reply BEFORE INSERT ON outbox WHEN NEW.recipient = 'ack-fails@example.com'
                    BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END;
                    """)
            }
            let failed = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"c@example.com","text":"FAIL-MESSAGE please","external_id":"f-1"}"#)
            #expect(failed.status == .serviceUnavailable)
            #expect(failed.headers[.retryAfter] == "1")
            #expect(try failed.decode(ErrorAnswer.self).error.message.contains("nothing was stored"))
            // The acknowledgement is part of the same transaction: if it cannot be stored, neither is the message.
            let ackFails = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"ack-fails@example.com","text":"hello","external_id":"f-2"}"#)
            #expect(ackFails.status == .serviceUnavailable)
            let counts = try await database.read { db in
                (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") ?? -1,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conversations") ?? -1,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? -1)
            }
            #expect(counts == (0, 0, 0))
            // After the fault clears, the sender's retry of the same message is accepted.
            try await database.write { db in try db.execute(sql: "DROP TRIGGER fail_message") }
            let retried = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"c@example.com","text":"FAIL-MESSAGE please","external_id":"f-1"}"#)
            #expect(retried.status == .accepted)
            #expect(try retried.decode(WebhookAcceptance.self).duplicate == false)
        }
    }

    @Test("health and metrics are served; metrics count messages, routes and outbox states")
    func healthAndMetrics() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { client, _ in
            let health = try await client.send(.get, "/healthz")
            #expect(health.status == .ok)
            _ = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"m@example.com","text":"system outage, cannot log in"}"#)
            let metrics = try await client.send(.get, "/metrics")
            let text = String(buffer: metrics.body)
            #expect(text.contains(#"switchboard_messages_received_total{channel="webhook"} 1"#))
            #expect(text.contains("switchboard_routes_fired_total{route="))
            #expect(text.contains(#"switchboard_outbox_entries{status="#))
            // The message went through group commit: one transaction, timed.
            #expect(text.contains("switchboard_ingest_commit_seconds_count 1"), "\(text)")
        }
    }
}

/// Standard Webhooks headers for a request to the `shop` source.
func signedHeaders(_ body: String, at date: Date = Date()) -> HTTPFields {
    let signer = try! StandardWebhooks(secret: GatewayHarness.inboundSecret)
    let id = "evt_" + UUID().uuidString
    let timestamp = Int(date.timeIntervalSince1970)
    var fields = HTTPFields()
    for (name, value) in signer.headers(id: id, timestamp: timestamp, body: Data(body.utf8)) {
        fields[HTTPField.Name(name)!] = value
    }
    return fields
}


extension InboundTests {
    @Test("a customer writing again joins the open conversation, and the stored context raises a structural signal")
    func repeatContact() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { client, _ in
            let first = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"again@example.com","text":"请问我的订单到哪了"}"#)
            let second = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"again@example.com","text":"请问我的订单到哪了"}"#)
            let conversationID = try first.decode(WebhookAcceptance.self).conversationID
            #expect(try second.decode(WebhookAcceptance.self).conversationID == conversationID)
            let detail = try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.agentToken)
            let page = try detail.decode(ConversationPage.self)
            let messages = page.messages
            #expect(messages.count == 2)
            let firstClassification = try #require(messages.first?.classification)
            #expect(firstClassification.context == nil)
            let classification = try #require(messages.last?.classification)
            let context = try #require(classification.context)
            #expect(context.priorInboundMessages == 1)
            #expect(classification.matches.contains { $0.signal == "repeat-contact" })
            // Only one acknowledgement: the second message joined, it did not start a conversation.
            #expect(page.outbox.count == 1)
        }
    }
}
