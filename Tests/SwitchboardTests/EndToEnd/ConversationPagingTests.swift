import Foundation
import HummingbirdTesting
import Testing

@Suite("A conversation's detail, paged")
struct ConversationPagingTests {
    /// Follows one list's `next` cursor from the first page to the last, returning each page's items.
    private func pages(
        _ client: any TestClientProtocol, conversationID: String, list: String, limit: Int
    ) async throws -> [[[String: Any]]] {
        var pages: [[[String: Any]]] = []
        var cursor: String?
        repeat {
            let after = cursor.map { "&\(list)_after=\($0)" } ?? ""
            let response = try await client.send(
                .get, "/v1/conversations/\(conversationID)?limit=\(limit)\(after)", token: GatewayHarness.agentToken)
            #expect(response.status == .ok)
            let items = try #require(response.json[list] as? [[String: Any]])
            pages.append(items)
            let next = try #require(response.json["next"] as? [String: Any])
            cursor = next[list] as? String
            if pages.count > 20 { Issue.record("the cursors of '\(list)' never ended"); break }
        } while cursor != nil
        return pages
    }

    @Test("more messages than a page: one page and a cursor that yields the rest; raw payloads only with include=raw")
    func pagedWithCursors() async throws {
        // No deliveries: their attempts would add events while the test pages through them.
        var harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused")
        harness.deliverReplies = false
        try await harness.run { client, _ in
            var conversationID = ""
            for index in 1...5 {
                let posted = try await client.send(
                    .post, "/v1/inbound/webhook/demo", json: #"{"from":"pager@example.com","text":"question number \#(index)"}"#)
                #expect(posted.status == .accepted)
                conversationID = try #require(posted.json["conversation_id"] as? String)
            }

            let whole = try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.agentToken)
            #expect(whole.status == .ok)
            let allMessages = try #require(whole.json["messages"] as? [[String: Any]])
            #expect(allMessages.count == 5)
            #expect(allMessages.allSatisfy { $0["raw_payload"] == nil })
            #expect((whole.json["next"] as? [String: Any])?.isEmpty == true)
            let allEvents = try #require(whole.json["events"] as? [[String: Any]])
            #expect(allEvents.count > 5)

            let messagePages = try await pages(client, conversationID: conversationID, list: "messages", limit: 2)
            #expect(messagePages.map(\.count) == [2, 2, 1])
            #expect(messagePages.joined().map { $0["id"] as? String } == allMessages.map { $0["id"] as? String })
            #expect(messagePages.joined().map { $0["text"] as? String } == (1...5).map { "question number \($0)" })

            let eventPages = try await pages(client, conversationID: conversationID, list: "events", limit: 3)
            #expect(eventPages.count > 1)
            #expect(eventPages.dropLast().allSatisfy { $0.count == 3 })
            #expect(eventPages.joined().map { "\($0["kind"] ?? "")/\($0["subject_id"] ?? "")" }
                == allEvents.map { "\($0["kind"] ?? "")/\($0["subject_id"] ?? "")" })

            let withRaw = try await client.send(
                .get, "/v1/conversations/\(conversationID)?include=raw&limit=1", token: GatewayHarness.agentToken)
            let first = try #require((withRaw.json["messages"] as? [[String: Any]])?.first)
            let raw = try #require((first["raw_payload"] as? String).flatMap { Data(base64Encoded: $0) })
            #expect(String(decoding: raw, as: UTF8.self).contains("question number 1"))
        }
    }

    @Test("a bad limit, cursor or include is a 400 that names the parameter", arguments: [
        ("limit=0", "limit"), ("limit=201", "limit"), ("limit=ten", "limit"), ("messages_after=not-a-cursor", "messages_after"),
        ("events_after=%21%21", "events_after"), ("outbox_after=", "outbox_after"), ("include=everything", "include"),
    ])
    func badParameters(query: String, parameter: String) async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { client, _ in
            let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"pager@example.com","text":"hello"}"#)
            let conversationID = try #require(posted.json["conversation_id"] as? String)
            let response = try await client.send(.get, "/v1/conversations/\(conversationID)?\(query)", token: GatewayHarness.agentToken)
            #expect(response.status == .badRequest)
            let message = (response.json["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("'\(parameter)'"))
        }
    }
}
