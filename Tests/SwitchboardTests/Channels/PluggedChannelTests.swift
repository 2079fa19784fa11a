import Channels
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Pipeline
import StrictYAML
import SwitchboardCore
import TestSupport
import Testing

/// A channel the gateway has never heard of (``ChatPlugin``, defined in the tests) is added by listing its
/// plugin, and nothing else: its sources are read, its endpoint served, its replies delivered, and rules
/// and scripts may name it.
@Suite("A channel plugs in whole")
struct PluggedChannelTests {
    static let channels = GatewayConfiguration.builtInChannels + [ChatPlugin.self]
    static let widgetToken = "widget-token-0123456789"

    /// The mini rules, with the angry route kept off chat instead of SMS and an acknowledgement written for chat.
    static func rulesNamingChat() throws -> URL {
        let routes = try #require(Fixtures.miniRules["routes.yaml"]).replacingOccurrences(of: "channel: sms", with: "channel: chat")
        return try Fixtures.miniRuleDirectory(overriding: [
            "routes.yaml": routes,
            "scripts/ack/en.chat.mustache": "Chat ticket {{conversation.reference}} is open.",
        ])
    }

    static func chatSource(transcript: String) -> String {
        """
          - id: widget
            channel: chat
            widget_token: { env: TEST_WIDGET_TOKEN }
            transcript: \(transcript)
        """
    }

    static func post(_ client: any TestClientProtocol, _ text: String, user: String?, token: String = widgetToken) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "text/plain"]
        headers[HTTPField.Name("X-Widget-Token")!] = token
        if let user { headers[HTTPField.Name("X-Chat-User")!] = user }
        return try await client.execute(uri: "/v1/inbound/chat/widget", method: .post, headers: headers, body: ByteBuffer(string: text))
    }

    @Test("its endpoint takes the channel's own requests, and its acknowledgement and the agent's reply reach the customer through it")
    func roundTrip() async throws {
        let rules = try Self.rulesNamingChat()
        let transcript = rules.deletingLastPathComponent().appendingPathComponent("transcript.txt").path
        let harness = try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused", rules: rules.path, extraSources: Self.chatSource(transcript: transcript),
            environment: ["TEST_WIDGET_TOKEN": Self.widgetToken], channels: Self.channels)
        try await harness.run { client, _ in
            let accepted = try await Self.post(client, "my parcel is late", user: "visitor-42")
            #expect(accepted.status == .accepted)
            #expect(accepted.headers[.contentType] == "text/plain")
            let body = String(buffer: accepted.body)
            #expect(body.hasPrefix("queued "))
            let conversationID = String(body.dropFirst("queued ".count))

            #expect(try await Self.post(client, "hello", user: "visitor-42", token: "wrong-token-0000000").status == .unauthorized)
            let anonymous = try await Self.post(client, "hello", user: nil)
            #expect(anonymous.status == .badRequest)
            #expect(try anonymous.decode(ErrorAnswer.self).error.message.contains("X-Chat-User"))
            let wrongMethod = try await client.send(.get, "/v1/inbound/chat/widget")
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(try await client.send(.post, "/v1/inbound/chat/nobody", json: "{}").status == .notFound)

            let detail = try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.agentToken)
            #expect(try detail.decode(ConversationPage.self).conversation.channel == "chat")

            let reply = try await client.send(
                .post, "/v1/outbox", json: #"{"conversation_id": "\#(conversationID)", "text": "It left the depot today."}"#,
                token: GatewayHarness.agentToken)
            #expect(reply.status == .created, "\(String(buffer: reply.body))")
            let tooLong = try await client.send(
                .post, "/v1/outbox", json: #"{"conversation_id": "\#(conversationID)", "text": "\#(String(repeating: "x", count: 501))"}"#,
                token: GatewayHarness.agentToken)
            #expect(try tooLong.decode(ErrorAnswer.self).error.code == "reply_too_long")

            let delivered = try await eventually {
                (try? String(contentsOfFile: transcript, encoding: .utf8))?.split(separator: "\n").count == 2
            }
            #expect(delivered)
            let lines = try String(contentsOfFile: transcript, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.allSatisfy { $0.hasPrefix("visitor-42\t") })
            #expect(lines.contains { $0.hasPrefix("visitor-42\tChat ticket ") && $0.hasSuffix(" is open.") })
            #expect(lines.contains("visitor-42\tIt left the depot today."))
        }
    }

    @Test("the configuration reads its keys through its plugin, and names the channel a misplaced key belongs to")
    func configuration() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func problems(_ sources: String, channels: [any ChannelPlugin.Type] = Self.channels) throws -> [String] {
            try Fixtures.write(["switchboard.yaml": "sources:\n" + sources], under: directory)
            do {
                _ = try GatewayConfiguration.load(
                    path: directory.appendingPathComponent("switchboard.yaml").path, environment: ["TEST_WIDGET_TOKEN": Self.widgetToken],
                    channels: channels)
                return []
            } catch {
                return error.problems.map(\.message)
            }
        }
        let chat = Self.chatSource(transcript: "chat.txt")
        let configuration = try GatewayConfiguration.load(
            path: { try Fixtures.write(["ok.yaml": "sources:\n" + chat], under: directory); return directory.appendingPathComponent("ok.yaml").path }(),
            environment: ["TEST_WIDGET_TOKEN": Self.widgetToken], channels: Self.channels)
        let source = try #require(configuration.sources.first?.settings(as: ChatSource.self))
        #expect(source.widgetToken == Self.widgetToken)
        #expect(source.transcript == directory.appendingPathComponent("chat.txt").path)

        #expect(try problems(chat + "\n    reply_url: https://example.com/replies").contains(
            "reply_url is for webhook sources; a chat source's replies go to its transcript"))
        #expect(try problems("  - { id: shop, channel: webhook, transcript: t.txt }").contains("transcript is only for chat sources"))
        #expect(try problems("  - { id: text, channel: chat }").contains { $0.contains("missing required key 'widget_token'") })
        #expect(try problems(chat, channels: GatewayConfiguration.builtInChannels).contains {
            $0.contains("channel 'chat' is not supported (supported: webhook, email, sms)")
        })
    }

    @Test("rules and script variants may name the channel once the gateway runs it, and not before")
    func rules() throws {
        let rules = try Self.rulesNamingChat()
        defer { try? FileManager.default.removeItem(at: rules.deletingLastPathComponent()) }
        let edition = try RuleDirectory.load(rules.path, channels: ChannelKind.known + ["chat"])
        #expect(edition.scripts.scriptIDs.contains("ack"))

        let refused = #expect(throws: Problems.self) { try RuleDirectory.load(rules.path) }
        let messages = refused?.problems.map(\.message) ?? []
        #expect(messages.contains { $0.contains("unknown channel 'chat' in script file name (expected webhook, email or sms)") })
        #expect(messages.contains { $0.contains("webhook, email or sms") && !$0.contains("script file") })
    }
}
