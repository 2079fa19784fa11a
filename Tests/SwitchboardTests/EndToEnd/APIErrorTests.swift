import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Every error the API answers is JSON (`{"error":{"code","message"}}`), also for requests no route takes.
@Suite("API errors for unknown paths, methods and queues")
struct APIErrorTests {
    static func error(_ response: TestResponse) throws -> ErrorAnswer.Detail {
        try response.decode(ErrorAnswer.self).error
    }

    @Test("an unknown path is a JSON 404 not_found")
    func unknownPath() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/replies").run { client, _ in
            for path in ["/v1/nothing-here", "/v2/queues", "/v1/queues/general/conversations/extra", "/"] {
                let response = try await client.send(.get, path, token: GatewayHarness.agentToken)
                #expect(response.status == .notFound, "\(path)")
                #expect(try Self.error(response).code == "not_found", "\(path)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(path)")
            }
        }
    }

    @Test("a wrong method is a JSON 405 method_not_allowed with Allow")
    func wrongMethod() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/replies").run { client, _ in
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.delete, "/v1/queues", "GET"),
                (.delete, "/v1/outbox", "GET, POST"),
                (.put, "/v1/inbound/webhook/demo", "POST"),
                (.delete, "/v1/inbound/sms/anything", "GET, POST"),
                (.post, "/healthz", "GET"),
            ]
            for (method, path, allow) in cases {
                let response = try await client.send(method, path, token: GatewayHarness.agentToken)
                #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                #expect(try Self.error(response).code == "method_not_allowed", "\(method) \(path)")
                #expect(response.headers[.allow] == allow, "\(method) \(path)")
            }
            // Routes that exist still answer as before.
            let health = try await client.send(.get, "/healthz")
            #expect(health.status == .ok)
            let ready = try await client.send(.get, "/readyz")
            #expect(ready.status == .ok)
            #expect(String(buffer: ready.body).contains(#""status":"ready""#))
        }
    }

    @Test("an unknown queue is a 404; a known queue without conversations is an empty list")
    func unknownQueue() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/replies").run { client, _ in
            let unknown = try await client.send(.get, "/v1/queues/no-such-queue/conversations", token: GatewayHarness.agentToken)
            #expect(unknown.status == .notFound)
            #expect(try Self.error(unknown).code == "not_found")

            let empty = try await client.send(.get, "/v1/queues/billing/conversations", token: GatewayHarness.agentToken)
            #expect(empty.status == .ok)
            #expect(try empty.decode(ConversationList.self).conversations.isEmpty)
        }
    }
}
