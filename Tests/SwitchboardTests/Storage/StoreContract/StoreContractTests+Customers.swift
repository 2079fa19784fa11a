import Conversations
import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    @Suite("Customer lookup")
    struct Customers {
        typealias R = ContractRequests
        typealias L = StoreContractTests.Lifecycle

        @Test("a customer's conversations across channels and sources, closed ones too, newest first, in any letter case", arguments: StoreFactory.all)
        func acrossSources(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle) = (subject.store, subject.lifecycle)
                let first = try await store.ingest(R.request(R.mail("m1", from: "wang@example.com", minute: 0))).conversationID
                _ = try await lifecycle.perform(L.command(first, .resolve, by: L.sue, reason: "done", minute: 1))
                _ = try await lifecycle.perform(L.command(first, .close, by: L.sue, minute: 2))
                let webhook = try await store.ingest(R.request(R.inbound("wang@example.com", minute: 3, externalID: "w1"))).conversationID
                let other = try await store.ingest(R.request(R.inbound("wang@example.com", minute: 4, source: "shop", externalID: "s1"))).conversationID
                _ = try await store.ingest(R.request(R.inbound("li@example.com", minute: 5, externalID: "l1")))

                let all = try await store.conversations(customer: "Wang@Example.com", limit: 10, sources: nil)
                #expect(all.map(\.id) == [other, webhook, first])
                #expect(all.last?.state == .closed)
                #expect(try await store.conversations(customer: "wang@example.com", limit: 2, sources: nil).map(\.id) == [other, webhook])
                #expect(try await store.conversations(customer: "wang@example.com", limit: 10, sources: ["demo"]).map(\.id) == [webhook])
                #expect(try await store.conversations(customer: "nobody@example.com", limit: 10, sources: nil).isEmpty)
            }
        }
    }
}
