import Foundation
import HummingbirdTesting
import Testing

@Suite("A conversation's detail, paged")
struct ConversationPagingTests {
    /// Follows one list's `next` cursor from the first page to the last, returning each page's items.
    private func pages<Item>(
        _ client: any TestClientProtocol, conversationID: String, list: String, items: KeyPath<ConversationPage, [Item]>,
        next: KeyPath<ConversationPage.Next, String?>, limit: Int
    ) async throws -> [[Item]] {
        var pages: [[Item]] = []
        var cursor: String?
        repeat {
            let after = cursor.map { "&\(list)_after=\($0)" } ?? ""
            let response = try await client.send(
                .get, "/v1/conversations/\(conversationID)?limit=\(limit)\(after)", token: GatewayHarness.agentToken)
            #expect(response.status == .ok)
            let page = try response.decode(ConversationPage.self)
            pages.append(page[keyPath: items])
            cursor = page.next[keyPath: next]
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
                conversationID = try posted.decode(WebhookAcceptance.self).conversationID
            }

            let whole = try await client.send(.get, "/v1/conversations/\(conversationID)", token: GatewayHarness.agentToken)
            #expect(whole.status == .ok)
            let wholePage = try whole.decode(ConversationPage.self)
            let allMessages = wholePage.messages
            #expect(allMessages.count == 5)
            #expect(allMessages.allSatisfy { $0.rawPayload == nil })
            #expect(wholePage.next == ConversationPage.Next())
            let allEvents = wholePage.events
            #expect(allEvents.count > 5)

            let messagePages = try await pages(client, conversationID: conversationID, list: "messages", items: \.messages, next: \.messages, limit: 2)
            #expect(messagePages.map(\.count) == [2, 2, 1])
            #expect(messagePages.joined().map(\.id) == allMessages.map(\.id))
            #expect(messagePages.joined().map(\.text) == (1...5).map { "question number \($0)" })

            let eventPages = try await pages(client, conversationID: conversationID, list: "events", items: \.events, next: \.events, limit: 3)
            #expect(eventPages.count > 1)
            #expect(eventPages.dropLast().allSatisfy { $0.count == 3 })
            #expect(eventPages.joined().map { "\($0.kind)/\($0.subjectID)" } == allEvents.map { "\($0.kind)/\($0.subjectID)" })

            let withRaw = try await client.send(
                .get, "/v1/conversations/\(conversationID)?include=raw&limit=1", token: GatewayHarness.agentToken)
            let first = try #require(try withRaw.decode(ConversationPage.self).messages.first)
            let raw = try #require(first.rawPayload)
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
            let conversationID = try posted.decode(WebhookAcceptance.self).conversationID
            let response = try await client.send(.get, "/v1/conversations/\(conversationID)?\(query)", token: GatewayHarness.agentToken)
            #expect(response.status == .badRequest)
            let message = try response.decode(ErrorAnswer.self).error.message
            #expect(message.contains("'\(parameter)'"))
        }
    }
}
