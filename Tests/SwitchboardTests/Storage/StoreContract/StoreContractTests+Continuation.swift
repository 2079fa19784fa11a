import Conversations
import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// What the customer writing again does: a resolved conversation is reopened and the reopen counted; a
    /// closed one stays closed and a new conversation continues it.
    @Suite("Reopens and continuations")
    struct Continuation {
        typealias R = ContractRequests
        typealias L = StoreContractTests.Lifecycle

        @Test("reopens are counted, by the customer writing on resolved and by an agent's reopen; a message after close starts a linked conversation", arguments: StoreFactory.all)
        func reopenAndContinue(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle) = (subject.store, subject.lifecycle)
                let id = try await L.conversation(store, "again@example.com", minute: 0)
                _ = try await lifecycle.perform(L.command(id, .claim, by: L.ana, minute: 1))
                _ = try await lifecycle.perform(L.command(id, .resolve, by: L.ana, reason: "sent the parcel again", minute: 2))
                let rejoined = try await store.ingest(R.request(R.inbound("again@example.com", minute: 3, externalID: "again-3")))
                #expect(rejoined.conversationID == id && !rejoined.newConversation)
                #expect(try await store.conversation(id: id)?.reopenCount == 1)
                _ = try await lifecycle.perform(L.command(id, .resolve, by: L.ana, reason: "found it", minute: 4))
                _ = try await lifecycle.perform(L.command(id, .reopen, by: L.ana, minute: 5))
                #expect(try await store.conversation(id: id)?.reopenCount == 2)
                _ = try await lifecycle.perform(L.command(id, .resolve, by: L.ana, reason: "done", minute: 6))
                _ = try await lifecycle.perform(L.command(id, .close, by: L.ana, minute: 7))
                let closed = try #require(try await store.conversation(id: id))
                #expect(closed.state == .closed && closed.reopenCount == 2 && closed.previousConversationID == nil)

                let next = try await store.ingest(R.request(R.inbound("again@example.com", minute: 8, externalID: "again-8")))
                #expect(next.newConversation && next.conversationID != id)
                let continued = try #require(try await store.conversation(id: next.conversationID))
                #expect(continued.previousConversationID == id && continued.reopenCount == 0 && continued.state == .new)
                #expect(try await store.conversation(id: id)?.state == .closed)
                let events = try #require(try await store.conversationDetail(id: next.conversationID, page: ConversationDetailPage())).events
                #expect(events.contains { $0.kind == "continues" && $0.detail["previous_conversation_id"] == id })

                // Another customer's first message continues nothing.
                let stranger = try await store.ingest(R.request(R.inbound("someone.else@example.com", minute: 9, externalID: "else-9")))
                #expect(try await store.conversation(id: stranger.conversationID)?.previousConversationID == nil)
            }
        }
    }
}
