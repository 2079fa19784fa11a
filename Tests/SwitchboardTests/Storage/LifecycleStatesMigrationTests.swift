import Foundation
import GRDB
@testable import SQLiteStorage
import SwitchboardCore
import TestSupport
import Testing

@Suite("Lifecycle states migration")
struct LifecycleStatesMigrationTests {
    /// Before the lifecycle, a conversation nobody had taken was 'open', or 'acknowledged' once the automatic
    /// acknowledgement went out. Both are 'new' now; the other states keep their names.
    @Test("a database written before v8 reads 'open' and 'acknowledged' back as new, and keeps the other states")
    func oldStatesReadAsNew() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("switchboard.sqlite").path
        let start = 1_795_000_000.0
        let stored = [
            ("conv_open", "open"), ("conv_acknowledged", "acknowledged"), ("conv_assigned", "assigned"),
            ("conv_in_progress", "in_progress"), ("conv_escalated", "escalated"), ("conv_resolved", "resolved"),
            ("conv_closed", "closed"),
        ]
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteMessageStore.migrator.migrate(queue, upTo: "v7-access-log-client")
            try await queue.write { db in
                for (id, state) in stored {
                    try db.execute(
                        sql: """
                            INSERT INTO conversations (id, channel, source, customer_address, customer_tier, language, queue,
                                priority, urgency, sentiment, state, route_id, sla_policy, sla_due_at, owner, created_at, updated_at)
                            VALUES (?, 'webhook', 'demo', ?, 'ordinary', 'zh', 'general', 3, 'normal', 'neutral', ?, 'r', 's', ?, ?, ?, ?)
                            """,
                        arguments: [
                            id, "\(id)@example.com", state, start + 600, state == "open" || state == "acknowledged" ? nil : "amy",
                            start, start,
                        ])
                }
            }
        }
        let store = try SQLiteMessageStore(path: path)
        var states: [String: ConversationState] = [:]
        for (id, _) in stored { states[id] = try await store.conversation(id: id)?.state }
        #expect(states == [
            "conv_open": .new, "conv_acknowledged": .new, "conv_assigned": .assigned, "conv_in_progress": .inProgress,
            "conv_escalated": .escalated, "conv_resolved": .resolved, "conv_closed": .closed,
        ])
        // The rows themselves say so, not only the reading of them.
        let raw = try await testDatabase(path).read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT state FROM conversations ORDER BY state")
        }
        #expect(raw == ["assigned", "closed", "escalated", "in_progress", "new", "resolved"])
        // Both still count as open in their queue.
        #expect(try await store.queueSummaries(now: Date(timeIntervalSince1970: start), sources: nil) == [
            QueueSummary(queue: "general", open: 5, unassigned: 2, overdue: 0, openByState: [.new: 2, .assigned: 1, .inProgress: 1, .escalated: 1]),
        ])
    }
}
