import Conversations
import Foundation
import GRDB
import StoreSupport
import SwitchboardCore

/// Each conversation's next deadline and warning (``ConversationDeadline``), stored beside it whenever its
/// clock logs change, so queues are ordered, paged and counted by an index instead of by reading logs.
extension SQLiteMessageStore {
    /// The sort key of a queue's list and of claims, in SQL: the next deadline, none after every instant.
    /// It must stay the expression the indexes of migration v15 hold.
    static let deadlineKey = "COALESCE(next_due_at, 1e300)"

    /// Stores the deadline the clocks of `logs` give, settled at `at` (every entry counted), on the
    /// conversation's row.
    static func storeDeadline(
        _ db: Database, conversationID: String, logs: [ClockKind: [ClockEvent]], at: Date, rules: any ClockRules
    ) throws {
        let deadline = ConversationDeadline(logs.compactMap { kind, log in settledState(kind, log, at: at, rules: rules) })
        try db.cachedStatement(sql: "UPDATE conversations SET next_due_at = ?, next_warn_at = ? WHERE id = ?").execute(arguments: [
            deadline.dueAt?.timeIntervalSince1970, deadline.warnAt?.timeIntervalSince1970, conversationID,
        ])
    }

    /// Computes the deadlines of every conversation that has clock logs and is not closed: once, when the
    /// migration that added the columns ran, since the migration itself has no rules to compute them by.
    static func refreshDeadlines(_ pool: DatabasePool, rules: any ClockRules) throws {
        try pool.write { db in
            let ids = try String.fetchAll(db, sql: """
                SELECT id FROM conversations WHERE state != 'closed'
                AND EXISTS (SELECT 1 FROM clock_events e WHERE e.conversation_id = conversations.id)
                """)
            let now = Date()
            for id in ids {
                try storeDeadline(db, conversationID: id, logs: try clockLogs(db, conversationID: id), at: now, rules: rules)
            }
        }
    }
}
