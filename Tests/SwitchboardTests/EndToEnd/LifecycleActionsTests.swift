import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// Agents' and supervisors' actions over HTTP, against the shipped rules: every transition the table
/// allows is applied with its audit event, every other one is refused with the state and what it allows,
/// and bad input changes nothing.
@Suite("Lifecycle actions, end to end")
struct LifecycleActionsTests {
    static let bobToken = "bob-agent-token-for-tests-0001"
    static let sueToken = "sue-supervisor-token-for-tests"
    static let alice = GatewayHarness.agentToken

    static func harness() throws -> GatewayHarness {
        var harness = try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused", maxBodyBytes: 8192,
            environment: ["TEST_BOB": bobToken, "TEST_SUE": sueToken],
            extraTokens: """
                  - { id: bob, role: agent, max_open: 1, token: { env: TEST_BOB } }
                  - { id: sue, name: Sue, role: supervisor, token: { env: TEST_SUE } }
                """)
        harness.deliverReplies = false
        return harness
    }

    /// A refused action's answer: the code, the conversation's state and the actions it allows the caller.
    struct Refusal: Decodable {
        struct Detail: Decodable {
            var code: String
            var message: String
            var state: String?
            var allowedActions: [String]?

            enum CodingKeys: String, CodingKey {
                case code, message, state, allowedActions = "allowed_actions"
            }
        }
        var error: Detail
    }

    static func customer(_ client: any TestClientProtocol, _ text: String, from sender: String = "wang@example.com") async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["from": sender, "text": text])
        let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: String(decoding: body, as: UTF8.self))
        #expect(posted.status == .accepted)
        return try posted.decode(WebhookAcceptance.self).conversationID
    }

    static func act(
        _ client: any TestClientProtocol, _ id: String, _ action: String, _ json: String? = nil, token: String = alice, key: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.send(.post, "/v1/conversations/\(id)/\(action)", json: json, token: token, headers: headers)
    }

    static func conversation(_ client: any TestClientProtocol, _ id: String) async throws -> ConversationPage {
        try await client.send(.get, "/v1/conversations/\(id)", token: GatewayHarness.opsToken).decode(ConversationPage.self)
    }

    @Test("claim, wait, the customer answers, escalate, reassign, hand off, note, resolve, close: each applied with its event; a closed conversation refuses with 409")
    func walkThrough() async throws {
        try await Self.harness().run { (client, _) async throws in
            let id = try await Self.customer(client, "我的订单三天了还没发货，订单号 A123")
            let opened = try await Self.conversation(client, id)
            let queue = opened.conversation.queue
            // The clocks of the route's policy run from the first message.
            let firstResponse = try #require(opened.clocks.first { $0.kind == "first_response" })
            #expect(firstResponse.status == "running" && firstResponse.policy == opened.conversation.slaPolicy && firstResponse.dueAt != nil)

            let claimed = try await client.send(.post, "/v1/queues/\(queue)/claim", token: Self.alice)
            #expect(claimed.status == .ok)
            let mine = try claimed.decode(ConversationAnswer.self)
            #expect(mine.id == id && mine.owner == "alice" && mine.state == "assigned")
            #expect(try await client.send(.post, "/v1/queues/\(queue)/claim", token: Self.alice).status == .noContent)

            let waiting = try await Self.act(client, id, "wait", #"{"reason":"asked for the order number"}"#)
            #expect(try waiting.decode(ConversationAnswer.self).state == "waiting_on_customer")
            // The customer answers: the conversation is under way again with its owner.
            #expect(try await Self.customer(client, "订单号是 A123") == id)
            #expect(try await Self.conversation(client, id).conversation.state == "in_progress")

            let escalated = try await Self.act(client, id, "escalate", #"{"level":1,"reason":"warehouse fire, many orders late"}"#)
            #expect(escalated.status == .ok)
            let raised = try escalated.decode(ConversationAnswer.self)
            #expect(raised.state == "escalated" && raised.queue == "escalations" && raised.priority == 1 && raised.slaPolicy == "crisis")
            // The clocks count towards the crisis policy now, and crisis updates run every 15 minutes.
            let crisisClocks = try await Self.conversation(client, id).clocks
            #expect(crisisClocks.first { $0.kind == "first_response" }?.policy == "crisis")
            #expect(crisisClocks.first { $0.kind == "update_every" }?.status == "running")

            // An agent gives conversations only to themselves; a supervisor to anyone.
            let notHers = try await Self.act(client, id, "assign", #"{"owner":"bob"}"#)
            #expect(notHers.status == .forbidden)
            #expect(try notHers.decode(Refusal.self).error.code == "not_permitted")
            let reassigned = try await Self.act(client, id, "assign", #"{"owner":"bob","reason":"bob knows the warehouse"}"#, token: Self.sueToken)
            #expect(try reassigned.decode(ConversationAnswer.self).owner == "bob")
            // Now it is bob's, alice may not hand it off.
            #expect(try await Self.act(client, id, "handoff", #"{"to_queue":"general","note":"x"}"#).status == .forbidden)

            let handed = try await Self.act(
                client, id, "handoff", #"{"to_queue":"general","note":"customer confirmed order A123; warehouse says Friday"}"#, token: Self.bobToken)
            let back = try handed.decode(ConversationAnswer.self)
            #expect(back.queue == "general" && back.owner == nil && back.state == "escalated")
            #expect(try await Self.act(client, id, "notes", #"{"text":"called the customer, no answer"}"#).status == .ok)
            #expect(try await Self.act(client, id, "resolve", #"{"resolution":"shipped with tracking SF123"}"#, token: Self.sueToken).status == .ok)
            let closed = try await Self.act(client, id, "close")
            #expect(try closed.decode(ConversationAnswer.self).state == "closed")

            let late = try await Self.act(client, id, "assign", #"{"owner":"alice"}"#, token: Self.sueToken)
            #expect(late.status == .conflict)
            let refusal = try late.decode(Refusal.self).error
            #expect(refusal.code == "invalid_transition" && refusal.state == "closed" && refusal.allowedActions == [])
            #expect(try await Self.act(client, id, "reopen").status == .conflict)

            let page = try await Self.conversation(client, id)
            #expect(page.clocks.allSatisfy { $0.fulfilledAt != nil }, "\(page.clocks.map { "\($0.kind) \($0.status)" })")
            let trail = page.events.filter { $0.subjectKind == "conversation" }.map { "\($0.kind) \($0.actor)" }
            let expected = [
                "claimed alice", "waiting_on_customer alice", "resumed demo", "escalated alice", "owner_assigned sue",
                "handed_off bob", "note_added alice", "resolved sue", "closed alice",
            ]
            #expect(trail.filter { line in expected.contains(line) } == expected, "\(trail)")
            let handoff = try #require(page.events.first { $0.kind == "handed_off" })
            #expect(handoff.detail["reason"] == "customer confirmed order A123; warehouse says Friday")
            #expect(handoff.detail["to_queue"] == "general" && handoff.detail["previous_owner"] == "bob")

            // The customer writes again: a new conversation.
            #expect(try await Self.customer(client, "还有一个问题") != id)
        }
    }

    @Test("bad input is refused with a code that names it, and changes nothing: unknown owner 422, over-long note 422, oversized body 413, unknown field 400, unknown action 404, level out of range 422")
    func badInput() async throws {
        try await Self.harness().run { (client, _) async throws in
            let id = try await Self.customer(client, "请问发票怎么开")
            let before = try await Self.conversation(client, id)

            func refused(_ action: String, _ json: String, _ status: HTTPResponse.Status, _ code: String, token: String = GatewayHarness.opsToken) async throws {
                let answer = try await Self.act(client, id, action, json, token: token)
                #expect(answer.status == status, "\(action) \(json.prefix(60))")
                if status != .contentTooLarge { #expect(try answer.decode(Refusal.self).error.code == code, "\(action)") }
            }
            try await refused("assign", #"{"owner":"nobody"}"#, .unprocessableContent, "unknown_owner", token: Self.sueToken)
            try await refused("notes", #"{"text":"\#(String(repeating: "x", count: 4_001))"}"#, .unprocessableContent, "field_too_long")
            try await refused("notes", #"{"text":"\#(String(repeating: "长", count: 9_000))"}"#, .contentTooLarge, "")
            try await refused("notes", #"{"text":"ok","html":"<b>"}"#, .badRequest, "invalid_request")
            try await refused("notes", #"{"text":"   "}"#, .unprocessableContent, "invalid_request")
            try await refused("escalate", #"{"level":5,"reason":"x"}"#, .unprocessableContent, "invalid_request")
            try await refused("escalate", #"{"level":2}"#, .unprocessableContent, "invalid_request")
            try await refused("handoff", #"{"to_queue":"nowhere"}"#, .unprocessableContent, "unknown_queue")
            try await refused("handoff", #"{"to_queue":"general","to_owner":"alice"}"#, .unprocessableContent, "invalid_request")
            try await refused("wait", #"{"until":"2020-01-01T00:00:00Z"}"#, .unprocessableContent, "invalid_request")
            try await refused("wait", #"{"until":"tomorrow"}"#, .unprocessableContent, "invalid_request")
            try await refused("teleport", "{}", .notFound, "not_found")
            #expect(try await Self.act(client, "conv_missing", "claim").status == .notFound)
            #expect(try await client.send(.post, "/v1/conversations/\(id)/claim").status == .unauthorized)

            let after = try await Self.conversation(client, id)
            #expect(after.conversation.updatedAt == before.conversation.updatedAt)
            #expect(after.conversation.state == "new" && after.conversation.owner == nil)
            #expect(after.events.count == before.events.count)
        }
    }

    @Test("a hand-off with a script tells the customer who takes over, queued with the hand-off; a script that cannot render refuses the whole hand-off")
    func handoffScript() async throws {
        try await Self.harness().run { (client, _) async throws in
            let id = try await Self.customer(client, "I was charged twice for my order", from: "li@example.com")
            #expect(try await Self.act(client, id, "claim").status == .ok)
            let before = try await Self.conversation(client, id)

            // Without the customer-facing reason the script needs, nothing changes.
            let missing = try await Self.act(
                client, id, "handoff", #"{"to_owner":"sue","note":"needs a supervisor","script":"escalation-handoff","variables":{"contact_within":"30 minutes"}}"#)
            #expect(missing.status == .unprocessableContent)
            #expect(try missing.decode(Refusal.self).error.code == "missing_template_variable")
            let unchanged = try await Self.conversation(client, id)
            #expect(unchanged.conversation.owner == "alice" && unchanged.outbox.count == before.outbox.count)
            #expect(unchanged.events.count == before.events.count)
            #expect(try await Self.act(client, id, "handoff", #"{"to_owner":"sue","script":"no-such-script"}"#).status == .unprocessableContent)
            #expect(try await Self.act(client, id, "handoff", #"{"to_owner":"sue","variables":{"a":"b"}}"#).status == .badRequest)

            let handed = try await Self.act(
                client, id, "handoff",
                #"{"to_owner":"sue","note":"double charge, refund needs approval","script":"escalation-handoff","variables":{"reason":"a refund needs a supervisor's approval","contact_within":"30 minutes"}}"#)
            #expect(handed.status == .ok)
            let after = try await Self.conversation(client, id)
            #expect(after.conversation.owner == "sue" && after.conversation.state == "assigned")
            let notice = try #require(after.outbox.first { $0.script == "escalation-handoff" })
            #expect(notice.author == "alice" && notice.recipient == "li@example.com" && !notice.automatic && notice.status == "queued")
            #expect(notice.body.contains("a refund needs a supervisor's approval") && notice.body.contains("Sue (agent ID sue)"))
            let reference = String(id.split(separator: "_").last!.suffix(10)).uppercased()
            #expect(notice.body.contains("within 30 minutes") && notice.body.contains(reference))
            // The internal note stays internal.
            #expect(!notice.body.contains("double charge"))
            #expect(after.events.contains { $0.kind == "reply_queued" && $0.subjectID == notice.id })
        }
    }

    @Test("a retried action with its Idempotency-Key is answered again and applied once; the key with another body is 409")
    func idempotentActions() async throws {
        try await Self.harness().run { (client, _) async throws in
            let id = try await Self.customer(client, "退款什么时候到账")
            let first = try await Self.act(client, id, "notes", #"{"text":"refund approved"}"#, key: "note-1")
            #expect(first.status == .ok)
            let again = try await Self.act(client, id, "notes", #"{"text":"refund approved"}"#, key: "note-1")
            #expect(again.status == .ok)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let other = try await Self.act(client, id, "notes", #"{"text":"something else"}"#, key: "note-1")
            #expect(other.status == .conflict)
            #expect(try other.decode(Refusal.self).error.code == "idempotency_conflict")
            let notes = try await Self.conversation(client, id).events.filter { $0.kind == "note_added" }
            #expect(notes.count == 1)
        }
    }

    @Test("claiming the next conversation: earliest deadline first, 204 when none waits, 409 at_capacity over the token's max_open")
    func claimNext() async throws {
        try await Self.harness().run { (client, _) async throws in
            let first = try await Self.customer(client, "where is my invoice for March", from: "a@example.com")
            let queue = try await Self.conversation(client, first).conversation.queue
            let second = try await Self.customer(client, "where is my invoice for April", from: "b@example.com")
            #expect(try await Self.conversation(client, second).conversation.queue == queue)

            let bob = try await client.send(.post, "/v1/queues/\(queue)/claim", token: Self.bobToken)
            #expect(try bob.decode(ConversationAnswer.self).owner == "bob")
            let full = try await client.send(.post, "/v1/queues/\(queue)/claim", token: Self.bobToken)
            #expect(full.status == .conflict)
            #expect(try full.decode(Refusal.self).error.code == "at_capacity")
            let alice = try await client.send(.post, "/v1/queues/\(queue)/claim", token: Self.alice)
            #expect(try alice.decode(ConversationAnswer.self).owner == "alice")
            #expect(try await client.send(.post, "/v1/queues/\(queue)/claim", token: Self.alice).status == .noContent)
            #expect(try await client.send(.post, "/v1/queues/nowhere/claim", token: Self.alice).status == .notFound)
            // A supervisor's token works the queues as an agent's does.
            #expect(try await client.send(.get, "/v1/queues", token: Self.sueToken).status == .ok)
        }
    }

    @Test("GET /v1/conversations?customer= finds a customer's conversations across sources, closed ones too; without a customer it is 400")
    func findByCustomer() async throws {
        try await Self.harness().run { (client, _) async throws in
            let first = try await Self.customer(client, "第一次问题", from: "Zhao@Example.com")
            #expect(try await Self.act(client, first, "resolve", #"{"resolution":"answered"}"#, token: Self.sueToken).status == .ok)
            #expect(try await Self.act(client, first, "close", token: Self.sueToken).status == .ok)
            let second = try await Self.customer(client, "又有问题", from: "Zhao@Example.com")
            #expect(second != first)
            let found = try await client.send(.get, "/v1/conversations?customer=zhao@example.com", token: Self.alice)
            #expect(found.status == .ok)
            #expect(try found.decode(CustomerConversations.self).conversations.map(\.id) == [second, first])
            #expect(try await client.send(.get, "/v1/conversations", token: Self.alice).status == .badRequest)
            #expect(try await client.send(.get, "/v1/conversations?customer=x&limit=0", token: Self.alice).status == .badRequest)
            #expect(try await client.send(.get, "/v1/conversations?customer=zhao@example.com").status == .unauthorized)
        }
    }
}

/// Supervisors' and ops' outbox operations over HTTP.
@Suite("Outbox operations, end to end")
struct OutboxOperationsTests {
    struct Page: Decodable {
        var entries: [OutboxEntryAnswer]
        var next: String?
    }

    @Test("GET /v1/outbox lists by status, newest first, paged; retry and cancel move an entry and are audited; agents may not; a status that does not take the operation is 409")
    func listRetryCancel() async throws {
        var harness = try LifecycleActionsTests.harness()
        harness.deliverReplies = false
        try await harness.run { (client, _) async throws in
            let sue = LifecycleActionsTests.sueToken
            var ids: [String] = []
            for index in 0..<3 {
                let id = try await LifecycleActionsTests.customer(client, "问题 \(index)", from: "c\(index)@example.com")
                let reply = try await client.send(
                    .post, "/v1/outbox", json: #"{"conversation_id":"\#(id)","text":"我们在处理 \#(index)"}"#, token: LifecycleActionsTests.alice)
                #expect(reply.status == .created)
                ids.append(try reply.decode(OutboxEntryAnswer.self).id)
            }
            let first = try await client.send(.get, "/v1/outbox?status=queued&limit=2", token: sue)
            #expect(first.status == .ok)
            let page = try first.decode(Page.self)
            #expect(page.entries.count == 2 && page.entries.allSatisfy { $0.status == "queued" })
            // Acknowledgements and agents' replies, newest first, each once across the pages.
            var listed = page.entries.map(\.id)
            var next = page.next
            while let cursor = next {
                let more = try await client.send(.get, "/v1/outbox?status=queued&limit=2&before=\(cursor)", token: sue).decode(Page.self)
                listed += more.entries.map(\.id)
                next = more.next
            }
            #expect(Set(listed).count == listed.count && Set(ids).isSubset(of: Set(listed)))
            #expect(listed.first == ids.last)

            #expect(try await client.send(.get, "/v1/outbox", token: LifecycleActionsTests.alice).status == .forbidden)
            #expect(try await client.send(.get, "/v1/outbox?status=lost", token: sue).status == .badRequest)

            let cancelled = try await client.send(.post, "/v1/outbox/\(ids[0])/cancel", token: sue)
            #expect(cancelled.status == .ok)
            #expect(try cancelled.decode(OutboxEntryAnswer.self).status == "cancelled")
            let again = try await client.send(.post, "/v1/outbox/\(ids[0])/cancel", token: sue)
            #expect(again.status == .conflict)
            #expect(try again.decode(LifecycleActionsTests.Refusal.self).error.code == "invalid_outbox_state")
            let retried = try await client.send(.post, "/v1/outbox/\(ids[0])/retry", token: GatewayHarness.opsToken)
            #expect(try retried.decode(OutboxEntryAnswer.self).status == "queued")
            #expect(try await client.send(.post, "/v1/outbox/\(ids[1])/retry", token: sue).status == .conflict)
            #expect(try await client.send(.post, "/v1/outbox/out_missing/retry", token: sue).status == .notFound)
            #expect(try await client.send(.post, "/v1/outbox/\(ids[1])/cancel", token: LifecycleActionsTests.alice).status == .forbidden)

            let cancelledList = try await client.send(.get, "/v1/outbox?status=cancelled", token: sue).decode(Page.self)
            #expect(cancelledList.entries.isEmpty)
            let entry = try await client.send(.get, "/v1/outbox/\(ids[0])", token: sue).decode(OutboxEntryAnswer.self)
            let trail = try await client.send(.get, "/v1/conversations/\(entry.conversationID)", token: sue).decode(ConversationPage.self).events
            #expect(trail.filter { $0.kind.hasPrefix("outbox_") }.map { "\($0.kind) \($0.actor)" } == ["outbox_cancelled sue", "outbox_retried ops"])
        }
    }
}
