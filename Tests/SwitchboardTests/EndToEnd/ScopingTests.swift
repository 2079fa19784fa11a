import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Pipeline
import TestSupport
import Testing

/// A token limited to `sources:` or `queues:` sees and answers only those conversations; everything else
/// is answered 404, exactly as if it did not exist.
@Suite("Token scopes, end to end")
struct ScopingTests {
    static let shopAgent = "shop-agent-token-for-tests-01"
    static let incidentsAgent = "incidents-agent-token-for-tests"

    static func harness(rules: URL) throws -> GatewayHarness {
        var harness = try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused", rules: rules.path,
            environment: ["TEST_SHOP_AGENT": shopAgent, "TEST_INCIDENTS_AGENT": incidentsAgent],
            extraTokens: """
                  - { id: shop-agent, role: agent, sources: [shop], token: { env: TEST_SHOP_AGENT } }
                  - { id: incidents-agent, role: agent, queues: [incidents], token: { env: TEST_INCIDENTS_AGENT } }
                """)
        harness.deliverReplies = false
        return harness
    }

    /// Three conversations: demo in general, demo in incidents, shop in general.
    static func seed(_ client: any TestClientProtocol) async throws -> (demoGeneral: String, demoIncident: String, shopGeneral: String) {
        func post(_ source: String, _ body: String) async throws -> String {
            let headers = source == "shop" ? signedHeaders(body) : [:]
            let posted = try await client.send(.post, "/v1/inbound/webhook/\(source)", json: body, headers: headers)
            #expect(posted.status == .accepted)
            return try posted.decode(WebhookAcceptance.self).conversationID
        }
        return (
            try await post("demo", #"{"from":"a@example.com","text":"where is my invoice"}"#),
            try await post("demo", #"{"from":"b@example.com","text":"the site is down"}"#),
            try await post("shop", #"{"from":"c@example.com","text":"where is my parcel"}"#))
    }

    static func errorMessage(_ response: TestResponse) throws -> String {
        try response.decode(ErrorAnswer.self).error.message
    }

    @Test("a token limited to a source: queue counts and listings hold only that source's conversations; others are 404 to read, answer or look up in the outbox")
    func sourceScope() async throws {
        let rules = try Fixtures.miniRuleDirectory()
        defer { try? FileManager.default.removeItem(at: rules.deletingLastPathComponent()) }
        try await Self.harness(rules: rules).run { (client, _) async throws in
            let ids = try await Self.seed(client)
            let token = Self.shopAgent

            let queues = try await client.send(.get, "/v1/queues", token: token).decode(QueueList.self).queues
            let open = Dictionary(uniqueKeysWithValues: queues.map { ($0.id, $0.open) })
            #expect(open == ["general": 1, "incidents": 0, "vip": 0, "complaints": 0])
            let listed = try await client.send(.get, "/v1/queues/general/conversations", token: token).decode(ConversationList.self).conversations
            #expect(listed.map(\.id) == [ids.shopGeneral])

            #expect(try await client.send(.get, "/v1/conversations/\(ids.shopGeneral)", token: token).status == .ok)
            let hidden = try await client.send(.get, "/v1/conversations/\(ids.demoGeneral)", token: token)
            let missing = try await client.send(.get, "/v1/conversations/conv_missing", token: token)
            #expect(hidden.status == .notFound && missing.status == .notFound)
            #expect(try Self.errorMessage(hidden) == Self.errorMessage(missing).replacingOccurrences(of: "conv_missing", with: ids.demoGeneral))

            let refused = try await client.send(.post, "/v1/outbox", json: #"{"conversation_id":"\#(ids.demoGeneral)","text":"hello"}"#, token: token)
            #expect(refused.status == .notFound)
            #expect(try await client.send(.post, "/v1/outbox", json: #"{"conversation_id":"\#(ids.shopGeneral)","text":"hello"}"#, token: token).status == .created)

            // Each general conversation has its automatic acknowledgement in the outbox.
            func acknowledgement(_ conversation: String) async throws -> String {
                let detail = try await client.send(.get, "/v1/conversations/\(conversation)", token: GatewayHarness.agentToken)
                let outbox = try detail.decode(ConversationPage.self).outbox
                return try #require(outbox.first?.id)
            }
            #expect(try await client.send(.get, "/v1/outbox/\(try await acknowledgement(ids.shopGeneral))", token: token).status == .ok)
            #expect(try await client.send(.get, "/v1/outbox/\(try await acknowledgement(ids.demoGeneral))", token: token).status == .notFound)
        }
    }

    @Test("a token limited to a queue: only that queue is listed; other queues and their conversations are 404")
    func queueScope() async throws {
        let rules = try Fixtures.miniRuleDirectory()
        defer { try? FileManager.default.removeItem(at: rules.deletingLastPathComponent()) }
        try await Self.harness(rules: rules).run { (client, _) async throws in
            let ids = try await Self.seed(client)
            let token = Self.incidentsAgent

            let queues = try await client.send(.get, "/v1/queues", token: token).decode(QueueList.self).queues
            #expect(queues.map(\.id) == ["incidents"])
            #expect(queues.first?.open == 1)
            #expect(try await client.send(.get, "/v1/queues/general/conversations", token: token).status == .notFound)
            let listed = try await client.send(.get, "/v1/queues/incidents/conversations", token: token).decode(ConversationList.self).conversations
            #expect(listed.map(\.id) == [ids.demoIncident])

            #expect(try await client.send(.get, "/v1/conversations/\(ids.demoIncident)", token: token).status == .ok)
            #expect(try await client.send(.get, "/v1/conversations/\(ids.shopGeneral)", token: token).status == .notFound)
            #expect(try await client.send(.post, "/v1/outbox", json: #"{"conversation_id":"\#(ids.demoGeneral)","text":"hello"}"#, token: token).status == .notFound)
            let created = try await client.send(.post, "/v1/outbox", json: #"{"conversation_id":"\#(ids.demoIncident)","text":"on it"}"#, token: token)
            #expect(created.status == .created)
            let entry = try created.decode(OutboxEntryAnswer.self).id
            #expect(try await client.send(.get, "/v1/outbox/\(entry)", token: token).status == .ok)

            // An unscoped token still sees everything.
            let all = try await client.send(.get, "/v1/queues", token: GatewayHarness.agentToken).decode(QueueList.self).queues
            #expect(all.count == 4)
            #expect(try await client.send(.get, "/v1/conversations/\(ids.shopGeneral)", token: GatewayHarness.agentToken).status == .ok)
        }
    }
}
