import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Shared outbox, end to end")
struct OutboxTests {
    /// Posts a calm inquiry and returns its conversation id.
    private func startConversation(_ client: any TestClientProtocol, from: String = "zhang@example.com") async throws -> String {
        let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"\#(from)","text":"请问发票怎么开？"}"#)
        #expect(posted.status == .accepted)
        return try posted.decode(WebhookAcceptance.self).conversationID
    }

    @Test("a stalled receiver holds only its own delivery slot: later replies go out while it hangs")
    func slowReceiverHoldsOneSlot() async throws {
        let receiver = ReplyReceiver(slowFirst: .seconds(30))
        try await receiver.start()
        try await stopping(receiver) {
            // Deliveries may take longer than the stall, so the stalled one is never given up and retried: a
            // dispatcher that sent one at a time would send the later replies only once it is answered.
            try await GatewayHarness(replyURL: receiver.url, outboxTimeout: "60s").run { (client, _) async throws in
                _ = try await startConversation(client, from: "first@example.com")
                #expect(try await eventually { receiver.received.count == 1 })  // its acknowledgement now hangs for 30 s
                _ = try await startConversation(client, from: "second@example.com")
                _ = try await startConversation(client, from: "third@example.com")
                // Both later replies arrive while the first delivery still waits for its answer (not by a clock
                // of the test's own: by whether the receiver has answered the stalled request).
                @Sendable func laterArrived() -> Bool {
                    let recipients = Set(receiver.received.compactMap { try? APIAnswers.decoder.decode(ReplyPayload.self, from: $0.body).to })
                    return recipients.isSuperset(of: ["second@example.com", "third@example.com"])
                }
                #expect(try await eventually(within: 40) { laterArrived() || receiver.stalledAnswered })
                #expect(laterArrived())
                #expect(!receiver.stalledAnswered, "later replies waited for the stalled one")
            }
        }
    }

    @Test("agent endpoints need a valid token; ops endpoints need the ops role")
    func authentication() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { client, _ in
            let none = try await client.send(.get, "/v1/queues")
            #expect(none.status == .unauthorized)
            #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(try await client.send(.get, "/v1/queues", token: "wrong-token-wrong-token").status == .unauthorized)
            #expect(try await client.send(.post, "/v1/outbox", json: #"{"conversation_id":"x","text":"hi"}"#).status == .unauthorized)
            #expect(try await client.send(.get, "/v1/queues", token: GatewayHarness.agentToken).status == .ok)
            #expect(try await client.send(.get, "/v1/rules", token: GatewayHarness.agentToken).status == .forbidden)
            let rules = try await client.send(.get, "/v1/rules", token: GatewayHarness.opsToken)
            #expect(rules.status == .ok)
            #expect(try rules.decode(RulesStatus.self).version.count == 16)
            let metrics = String(buffer: try await client.send(.get, "/metrics").body)
            #expect(metrics.contains(#"switchboard_auth_rejections_total{reason="missing"} 2"#))
        }
    }

    @Test("a script with a missing variable is refused with its name and nothing is queued; a complete one is delivered")
    func strictScripts() async throws {
        let receiver = ReplyReceiver()
        try await receiver.start()
        try await stopping(receiver) {
            try await GatewayHarness(replyURL: receiver.url).run { client, parts in
                let conversationID = try await startConversation(client)
                #expect(try await eventually { receiver.received.count == 1 })  // the acknowledgement

                let incomplete = try await client.send(.post, "/v1/outbox", json: #"{"conversation_id":"\#(conversationID)","script":"delay-apology","variables":{}}"#, token: GatewayHarness.agentToken)
                #expect(incomplete.status == .unprocessableContent)
                let error = try incomplete.decode(ErrorAnswer.self).error
                #expect(error.code == "missing_template_variable")
                let message = error.message
                #expect(message.contains("delay-apology"))
                #expect(message.contains("not queued"))
                let queued = try await testDatabase(parts.sqlitePath).read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE automatic = 0")
                }
                #expect(queued == 0)

                let forbidden = try await client.send(.post, "/v1/outbox", json: #"{"conversation_id":"\#(conversationID)","text":"我们会尽快处理"}"#, token: GatewayHarness.agentToken)
                #expect(forbidden.status == .unprocessableContent)

                let sent = try await client.send(.post, "/v1/outbox", json: #"{"conversation_id":"\#(conversationID)","text":"发票已于今天 15:00 前开具，电子版会发到您的邮箱。"}"#, token: GatewayHarness.agentToken)
                #expect(sent.status == .created)
                let outboxID = try sent.decode(OutboxEntryAnswer.self).id
                #expect(try await eventually {
                    let entry = try await client.send(.get, "/v1/outbox/\(outboxID)", token: GatewayHarness.agentToken)
                    return try entry.decode(OutboxEntryAnswer.self).status == "delivered"
                })
                // First-contact ownership: the agent who answered owns the conversation now.
                let detail = try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.agentToken)
                let conversation = try detail.decode(ConversationPage.self).conversation
                #expect(conversation.owner == "alice")
                #expect(conversation.state == "in_progress")
            }
        }
    }

    @Test("Idempotency-Key: the same request returns the same entry, a different one under the same key is a conflict")
    func idempotency() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { client, _ in
            let conversationID = try await startConversation(client)
            let body = #"{"conversation_id":"\#(conversationID)","text":"我们在明天 10:00 前回电。"}"#
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "reply-42"]
            let first = try await client.send(.post, "/v1/outbox", json: body, token: GatewayHarness.agentToken, headers: key)
            let again = try await client.send(.post, "/v1/outbox", json: body, token: GatewayHarness.agentToken, headers: key)
            #expect(first.status == .created)
            #expect(again.status == .ok)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(try first.decode(OutboxEntryAnswer.self).id == again.decode(OutboxEntryAnswer.self).id)
            let different = try await client.send(.post, "/v1/outbox", json: body.replacingOccurrences(of: "10:00", with: "11:00"), token: GatewayHarness.agentToken, headers: key)
            #expect(different.status == .conflict)
            let missing = try await client.send(.post, "/v1/outbox", json: #"{"conversation_id":"conv_nope","text":"hi"}"#, token: GatewayHarness.agentToken)
            #expect(missing.status == .notFound)
            let both = try await client.send(.post, "/v1/outbox", json: #"{"conversation_id":"\#(conversationID)","text":"hi","script":"ack-inquiry"}"#, token: GatewayHarness.agentToken)
            #expect(both.status == .badRequest)
        }
    }

    @Test("a receiver that fails then recovers gets the reply on a later attempt, with the same webhook-id, verified independently")
    func retryThenDeliver() async throws {
        let receiver = ReplyReceiver(statuses: [503, 500])
        try await receiver.start()
        try await stopping(receiver) {
            try await GatewayHarness(replyURL: receiver.url, maxAttempts: 5).run { client, _ in
                let conversationID = try await startConversation(client)
                #expect(try await eventually { receiver.received.count == 3 })
                let ids = Set(receiver.received.map { $0.headers["webhook-id"] ?? "" })
                #expect(ids.count == 1)
                let detail = try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.agentToken)
                let outboxID = try #require(try detail.decode(ConversationPage.self).outbox.first?.id)
                #expect(try await eventually {
                    let entry = try await client.send(.get, "/v1/outbox/\(outboxID)", token: GatewayHarness.agentToken)
                    let answer = try entry.decode(OutboxEntryAnswer.self)
                    return answer.status == "delivered" && answer.attempts == 3
                })
                // Each attempt is on the audit trail.
                let after = try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.agentToken)
                let attempts = try after.decode(ConversationPage.self).events.filter { $0.kind == "delivery_attempt" }
                #expect(attempts.count == 3)
                // The signature verifies with the reference implementation, and fails with another secret.
                for request in receiver.received {
                    #expect(try IndependentVerifier.verify(secret: GatewayHarness.replySecret, body: request.body, headers: request.headers) == "verified")
                }
                let wrong = try IndependentVerifier.verify(secret: GatewayHarness.inboundSecret, body: receiver.received[0].body, headers: receiver.received[0].headers)
                #expect(wrong.hasPrefix("rejected"))
            }
        }
    }

    @Test("a receiver that keeps failing dead-letters the reply after the last attempt, with the error kept")
    func deadLetter() async throws {
        let receiver = ReplyReceiver(statuses: Array(repeating: 503, count: 10))
        try await receiver.start()
        try await stopping(receiver) {
            try await GatewayHarness(replyURL: receiver.url, maxAttempts: 3).run { client, _ in
                let conversationID = try await startConversation(client)
                let detail = try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.agentToken)
                let outboxID = try #require(try detail.decode(ConversationPage.self).outbox.first?.id)
                #expect(try await eventually {
                    try await client.send(.get, "/v1/outbox/\(outboxID)", token: GatewayHarness.agentToken).decode(OutboxEntryAnswer.self).status == "dead_lettered"
                })
                let final = try await client.send(.get, "/v1/outbox/\(outboxID)", token: GatewayHarness.agentToken).decode(OutboxEntryAnswer.self)
                #expect(final.attempts == 3)
                #expect(final.lastError?.contains("HTTP 503") == true)
                #expect(receiver.received.count == 3)
                let metrics = String(buffer: try await client.send(.get, "/metrics").body)
                #expect(metrics.contains(#"switchboard_outbox_entries{status="dead_lettered"} 1"#))
            }
        }
    }

    @Test("a permanent refusal (4xx) fails at once without retrying")
    func permanentFailure() async throws {
        let receiver = ReplyReceiver(statuses: [410])
        try await receiver.start()
        try await stopping(receiver) {
            try await GatewayHarness(replyURL: receiver.url, maxAttempts: 5).run { client, _ in
                let conversationID = try await startConversation(client)
                let detail = try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.agentToken)
                let outboxID = try #require(try detail.decode(ConversationPage.self).outbox.first?.id)
                #expect(try await eventually {
                    try await client.send(.get, "/v1/outbox/\(outboxID)", token: GatewayHarness.agentToken).decode(OutboxEntryAnswer.self).status == "failed"
                })
                try await Task.sleep(for: .milliseconds(300))
                #expect(receiver.received.count == 1)
            }
        }
    }
}
