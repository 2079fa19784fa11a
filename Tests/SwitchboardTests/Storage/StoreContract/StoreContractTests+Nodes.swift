import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// The gateways sharing a store: their heartbeats, and the leases by which one node at a time polls a mailbox.
    @Suite("Nodes and leases")
    struct Nodes {
        typealias R = ContractRequests

        static func node(_ id: String, rules: String, minute: Double) -> GatewayNode {
            GatewayNode(
                id: id, address: "10.0.0.\(id.count):8080", startedAt: R.at(minute: 0), heartbeatAt: R.at(minute: minute), version: "1.0",
                rulesVersion: rules)
        }

        @Test("a heartbeat inserts the node, the next one updates it, and nodes silent too long are forgotten", arguments: StoreFactory.all)
        func heartbeats(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                try await store.recordHeartbeat(Self.node("a", rules: "r1", minute: 1), forgetBefore: R.at(minute: -10))
                try await store.recordHeartbeat(Self.node("bb", rules: "r1", minute: 2), forgetBefore: R.at(minute: -10))
                try await store.recordHeartbeat(Self.node("a", rules: "r2", minute: 3), forgetBefore: R.at(minute: -10))
                let nodes = try await store.nodes()
                #expect(nodes.map(\.id) == ["a", "bb"])
                #expect(nodes.first?.rulesVersion == "r2")
                #expect(nodes.first?.heartbeatAt == R.at(minute: 3))
                #expect(nodes.first?.startedAt == R.at(minute: 0))
                // bb stopped at minute 2; a's heartbeat at minute 20 forgets nodes silent since minute 10.
                try await store.recordHeartbeat(Self.node("a", rules: "r2", minute: 20), forgetBefore: R.at(minute: 10))
                #expect(try await store.nodes().map(\.id) == ["a"])
            }
        }

        @Test("a lease is held by one node until it runs out or is given up; its holder renews it", arguments: StoreFactory.all)
        func leases(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                #expect(try await store.acquireLease("imap:mail", node: "a", now: R.at(minute: 0), until: R.at(minute: 1)))
                #expect(try await !store.acquireLease("imap:mail", node: "b", now: R.at(minute: 0.5), until: R.at(minute: 1.5)))
                // Another mailbox is free.
                #expect(try await store.acquireLease("imap:other", node: "b", now: R.at(minute: 0.5), until: R.at(minute: 1.5)))
                // The holder renews before it runs out; the other node still waits.
                #expect(try await store.acquireLease("imap:mail", node: "a", now: R.at(minute: 0.9), until: R.at(minute: 2)))
                #expect(try await !store.acquireLease("imap:mail", node: "b", now: R.at(minute: 1.5), until: R.at(minute: 2.5)))
                // a stops renewing (it died): once the lease ran out, b takes the mailbox over.
                #expect(try await store.acquireLease("imap:mail", node: "b", now: R.at(minute: 2.01), until: R.at(minute: 3)))
                #expect(try await !store.acquireLease("imap:mail", node: "a", now: R.at(minute: 2.02), until: R.at(minute: 3)))
                // Given up, it is free at once; giving up a lease one does not hold changes nothing.
                try await store.releaseLease("imap:mail", node: "a")
                #expect(try await !store.acquireLease("imap:mail", node: "a", now: R.at(minute: 2.03), until: R.at(minute: 3)))
                try await store.releaseLease("imap:mail", node: "b")
                #expect(try await store.acquireLease("imap:mail", node: "a", now: R.at(minute: 2.04), until: R.at(minute: 3)))
            }
        }

        @Test("of many nodes asking for a free lease at once, exactly one gets it", arguments: StoreFactory.all)
        func leaseRace(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<12 {
                        group.addTask { try await store.acquireLease("imap:race", node: "n\(index)", now: R.at(minute: 0), until: R.at(minute: 1)) }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(granted == 1)
            }
        }
    }
}
