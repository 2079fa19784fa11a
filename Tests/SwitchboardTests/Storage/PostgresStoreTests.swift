import Conversations
import Foundation
import PostgresNIO
import PostgresStorage
import SwitchboardCore
import Synchronization
import Testing

/// What only a store shared by several gateways has to do: the same database, two stores as two nodes.
@Suite("PostgreSQL shared by several gateways")
struct PostgresStoreTests {
    typealias R = ContractRequests

    /// Runs `body` with two stores (nodes `a` and `b`, each with its own pool) on one freshly migrated database.
    static func twoNodes(
        deliveryLease: Duration = .seconds(40), _ body: (PostgresMessageStore, PostgresMessageStore) async throws -> Void
    ) async throws {
        let cluster = try await TestPostgres.shared()
        try await cluster.withDatabase { settings in
            try await PostgresMigrator().migrate(settings: settings, logger: TestPostgres.logger)
            try await TestPostgres.withClient(settings) { first in
                try await TestPostgres.withClient(settings) { second in
                    let a = PostgresMessageStore(client: first, clockRules: ContractClockRules(), node: "a", deliveryLease: deliveryLease, logger: TestPostgres.logger)
                    let b = PostgresMessageStore(client: second, clockRules: ContractClockRules(), node: "b", deliveryLease: deliveryLease, logger: TestPostgres.logger)
                    try await body(a, b)
                }
            }
        }
    }

    @Test("two nodes claiming due replies at once never claim the same entry, and between them claim all")
    func claimsDoNotOverlap() async throws {
        try await Self.twoNodes { a, b in
            var queued: Set<String> = []
            for number in 0..<40 {
                let stored = try await a.ingest(R.request(R.inbound("c\(number)@example.com", externalID: "claim-\(number)"), autoReply: "已收到"))
                queued.insert(try #require(stored.autoReplyID))
            }
            final class Claims: Sendable {
                let ids = Mutex<[String]>([])
            }
            let claims = Claims()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in [a, b, a, b] {
                    group.addTask {
                        while true {
                            let taken = try await store.claimDueOutbox(now: R.at(minute: 1), limit: 3)
                            if taken.isEmpty { return }
                            claims.ids.withLock { $0 += taken.map(\.entry.id) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let claimed = claims.ids.withLock { $0 }
            #expect(claimed.count == queued.count, "each entry once: \(claimed.count) claims of \(queued.count) entries")
            #expect(Set(claimed) == queued)
        }
    }

    @Test("a reply claimed by a node that died is claimed again by another once the lease runs out, under the same id")
    func expiredLeaseIsClaimedAgain() async throws {
        try await Self.twoNodes(deliveryLease: .seconds(30)) { a, b in
            let reply = try #require(try await a.ingest(R.request(R.inbound("wang@example.com", externalID: "lease-1"), autoReply: "已收到")).autoReplyID)
            #expect(try await a.claimDueOutbox(now: R.at(minute: 1), limit: 10).map(\.entry.id) == [reply])
            // a dies here, its delivery unrecorded. While its lease runs, nobody else takes the entry, and a
            // starting node does not requeue it either.
            #expect(try await b.claimDueOutbox(now: R.at(minute: 1.25), limit: 10).isEmpty)
            #expect(try await b.requeueAbandonedDeliveries(now: R.at(minute: 1.25)) == 0)
            let again = try await b.claimDueOutbox(now: R.at(minute: 1.6), limit: 10)
            #expect(again.map(\.entry.id) == [reply])
            #expect(again.first?.entry.attempts == 2)
            try await b.recordDelivery(outboxID: reply, outcome: .delivered(detail: nil, messageID: nil), now: R.at(minute: 1.7))
            #expect(try await a.outboxEntry(id: reply)?.status == .delivered)
            #expect(try await a.claimDueOutbox(now: R.at(minute: 5), limit: 10).isEmpty)
        }
    }

    @Test("many concurrent writes to one conversation from two nodes are all kept: conflicts are retried, not lost")
    func conflictsAreRetried() async throws {
        try await Self.twoNodes { a, b in
            let first = try await a.ingest(R.request(R.inbound("busy@example.com", externalID: "busy-0")))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for number in 1...24 {
                    let store = number % 2 == 0 ? a : b
                    group.addTask {
                        _ = try await store.ingest(R.request(R.inbound("busy@example.com", minute: Double(number) / 10, externalID: "busy-\(number)")))
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await b.messages(first.conversationID).count == 25)
            #expect(try await a.conversations(customer: "busy@example.com", limit: 10, sources: nil).count == 1)
        }
    }

    @Test("a node's concurrent ingest transactions report each batch's outcome to its own batch, in the order the batches were taken")
    func concurrentIngestReportsInOrder() async throws {
        try await Self.twoNodes { a, _ in
            // Batches of one to three messages, each from its own customer; the queue is drained as the store takes them.
            let batches = (0..<30).map { number in
                (0...(number % 3)).map { part in a.prepare(R.request(R.inbound("order-\(number)-\(part)@example.com", externalID: "order-\(number)-\(part)"))) }
            }
            let queue = Mutex(batches[...])
            let outcomes = Mutex<[Result<[Result<IngestResult, any Error>], any Error>]>([])
            await a.ingestBatches(
                next: { queue.withLock { $0.popFirst() } },
                finished: { outcome in outcomes.withLock { $0.append(outcome) } })
            let reported = outcomes.withLock { $0 }
            #expect(reported.count == batches.count)
            for (number, outcome) in reported.enumerated() {
                let results = try outcome.get().map { try $0.get() }
                #expect(results.count == number % 3 + 1)
                for (part, result) in results.enumerated() {
                    let stored = try await a.messages(result.conversationID)
                    #expect(stored.map(\.sender) == ["order-\(number)-\(part)@example.com"])
                }
            }
        }
    }

    @Test("a reply queued through one node wakes the listener of another, also after its listening connection was cut")
    func notificationsWakeOtherNodes() async throws {
        let cluster = try await TestPostgres.shared()
        try await cluster.withDatabase { settings in
            try await PostgresMigrator().migrate(settings: settings, logger: TestPostgres.logger)
            final class Wakes: Sendable {
                let count = Atomic<Int>(0)
            }
            let wakes = Wakes()
            let listener = PostgresOutboxListener(settings: settings, logger: TestPostgres.logger) {
                wakes.count.add(1, ordering: .relaxed)
            }
            try await TestPostgres.withClient(settings) { client in
                let store = PostgresMessageStore(client: client, node: "a", logger: TestPostgres.logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await listener.run() }
                    // Connected and listening: it wakes once on its own, for what may have been queued before.
                    #expect(try await eventually { wakes.count.load(ordering: .relaxed) >= 1 })
                    let before = wakes.count.load(ordering: .relaxed)
                    _ = try await store.ingest(R.request(R.inbound("wang@example.com", externalID: "notify-1"), autoReply: "已收到"))
                    #expect(try await eventually { wakes.count.load(ordering: .relaxed) > before })

                    // The listening connection is cut (a failover, a restarted server): it listens again by itself.
                    try await cluster.admin([
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(settings.username)' AND query LIKE 'LISTEN%'",
                    ])
                    try await Task.sleep(for: .seconds(2))
                    let afterCut = wakes.count.load(ordering: .relaxed)
                    _ = try await store.ingest(R.request(R.inbound("li@example.com", externalID: "notify-2"), autoReply: "已收到"))
                    #expect(try await eventually(within: 20) { wakes.count.load(ordering: .relaxed) > afterCut })
                    group.cancelAll()
                }
            }
        }
    }
}
