import Foundation
import GRDB
@testable import SQLiteStorage
import SwitchboardCore
import TestSupport
import Testing

@Suite("Next deadline migration")
struct NextDeadlineMigrationTests {
    /// Migration v15 adds the next-deadline columns empty (it has no rules to compute them by); the store
    /// fills them in from the clock logs when it first opens with its clock rules, and only then.
    @Test("a database written before v15 gets each open conversation's next deadline from its clock logs at the first open with rules", arguments: [true, false])
    func backfilledAtOpen(withRules: Bool) async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("switchboard.sqlite").path
        let start = ContractRequests.start.timeIntervalSince1970
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteMessageStore.migrator.migrate(queue, upTo: "v12-conversations-by-customer")
            try await queue.write { db in
                for (id, state) in [("conv_open", "new"), ("conv_waiting", "waiting_on_customer"), ("conv_closed", "closed")] {
                    try db.execute(
                        sql: """
                            INSERT INTO conversations (id, channel, source, customer_address, customer_tier, language, queue,
                                priority, urgency, sentiment, state, route_id, sla_policy, sla_due_at, owner, created_at, updated_at)
                            VALUES (?, 'webhook', 'demo', ?, 'ordinary', 'zh', 'general', 3, 'normal', 'neutral', ?, 'r', 'standard', ?, NULL, ?, ?)
                            """,
                        arguments: [id, "\(id)@example.com", state, start + 600, start, start])
                    for clock in ["first_response", "resolution"] {
                        try db.execute(
                            sql: """
                                INSERT INTO clock_events (conversation_id, clock, at, action, policy, seconds, warn_before)
                                VALUES (?, ?, ?, 'started', 'standard', ?, '20.0%')
                                """,
                            arguments: [id, clock, start, clock == "first_response" ? 3_600 : 28_800])
                        if state == "waiting_on_customer" {
                            try db.execute(
                                sql: "INSERT INTO clock_events (conversation_id, clock, at, action, reason) VALUES (?, ?, ?, 'paused', 'waiting_on_customer')",
                                arguments: [id, clock, start + 60])
                        }
                    }
                }
            }
        }
        let store = try SQLiteMessageStore(path: path, clockRules: withRules ? ContractClockRules() : nil)
        let deadlines = try await testDatabase(path).read { db in
            try Row.fetchAll(db, sql: "SELECT id, next_due_at, next_warn_at FROM conversations").reduce(into: [String: [Double?]]()) {
                $0[$1[0]] = [$1[1], $1[2]]
            }
        }
        // Without rules nothing can be computed: the columns stay empty until the clocks next change.
        #expect(deadlines == [
            "conv_open": withRules ? [start + 3_600, start + 2_880] : [nil, nil], "conv_waiting": [nil, nil], "conv_closed": [nil, nil],
        ])
        let listed = try await store.queuePage(QueueListing(queue: "general", now: Date(timeIntervalSince1970: start)))
        #expect(listed.entries.map(\.conversation.id) == ["conv_open", "conv_waiting"])
    }
}
