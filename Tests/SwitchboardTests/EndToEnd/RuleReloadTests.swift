import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Pipeline
import TestSupport
import Testing

@Suite("Hot reload, end to end")
struct RuleReloadTests {
    @Test("a valid change goes live; a broken one is refused with positions while the last good rules keep serving")
    func reload() async throws {
        let rules = try Fixtures.miniRuleDirectory()
        defer { try? FileManager.default.removeItem(at: rules.deletingLastPathComponent()) }
        let harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused", rules: rules.path)
        try await harness.run { client, parts in
            func post(_ from: String, _ text: String) async throws -> ConversationAnswer {
                let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"\#(from)","text":"\#(text)"}"#)
                #expect(posted.status == .accepted)
                let id = try posted.decode(WebhookAcceptance.self).conversationID
                let detail = try await client.send(.get, "/v1/conversations/\(id)", token: GatewayHarness.agentToken)
                return try detail.decode(ConversationPage.self).conversation
            }
            @Sendable func status() async throws -> RulesStatus {
                try await client.send(.get, "/v1/rules", token: GatewayHarness.opsToken).decode(RulesStatus.self)
            }
            let before = try await status()
            let firstVersion = before.version
            #expect(try await post("a@example.com", "the printer is broken").queue == "general")

            // A valid edit: "broken" becomes an outage word.
            try Fixtures.write(["lexicons/outage.txt": Fixtures.miniRules["lexicons/outage.txt"]! + "\nbroken\n"], under: rules)
            #expect(try await eventually { try await status().version != firstVersion })
            #expect(try await post("b@example.com", "the printer is broken").queue == "incidents")
            let secondVersion = try await status().version

            // A broken edit is refused: the error names the file and position, the old rules keep serving.
            try Fixtures.write(["routes.yaml": Fixtures.miniRules["routes.yaml"]!.replacingOccurrences(of: "    queue: incidents\n", with: "    queue: nowhere\n")], under: rules)
            #expect(try await eventually { try await status().lastError != nil })
            let refused = try await status()
            #expect(refused.version == secondVersion)
            let problems = try #require(refused.lastError?.problems)
            #expect(problems.contains { $0.contains("routes.yaml:14:12") && $0.contains("queue 'nowhere'") })
            #expect(try await post("c@example.com", "the printer is broken").queue == "incidents")

            // An explicit reload reports the same problems; fixing the file clears the error.
            let explicit = try await client.send(.post, "/v1/rules/reload", token: GatewayHarness.opsToken)
            #expect(explicit.status == .unprocessableContent)
            try Fixtures.write(["routes.yaml": Fixtures.miniRules["routes.yaml"]!], under: rules)
            let fixed = try await client.send(.post, "/v1/rules/reload", token: GatewayHarness.opsToken)
            #expect(fixed.status == .ok)
            #expect(try fixed.decode(RulesStatus.self).lastError == nil)
            _ = parts
        }
    }
}
