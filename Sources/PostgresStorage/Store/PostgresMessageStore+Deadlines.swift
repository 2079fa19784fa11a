import Conversations
import Foundation
import SwitchboardCore

/// Each conversation's next deadline and warning (``ConversationDeadline``), stored beside it whenever its
/// clock logs change, so queues are ordered, paged and counted by an index instead of by reading logs.
extension PostgresMessageStore {
    /// The sort key of a queue's list and of claims, in SQL: the next deadline, none after every instant.
    /// It must stay the expression the indexes of migration v15 hold.
    static let deadlineKey = "COALESCE(next_due_at, 1e300)"

    /// Stores a conversation's deadline (``deadline(_:at:rules:)``) on its row.
    static func storeDeadline(_ db: PostgresTransaction, conversationID: String, _ deadline: ConversationDeadline) async throws {
        try await db.execute("""
            UPDATE conversations SET next_due_at = \(deadline.dueAt?.timeIntervalSince1970), next_warn_at = \(deadline.warnAt?.timeIntervalSince1970)
            WHERE id = \(conversationID)
            """)
    }

    /// The deadline the clocks of `logs` give, settled at `at`.
    static func deadline(_ logs: [ClockKind: [ClockEvent]], at: Date, rules: any ClockRules) -> ConversationDeadline {
        ConversationDeadline(logs.compactMap { kind, log in settledState(kind, log, at: at, rules: rules) })
    }

    /// A clock's state once every entry of its log has counted: at `at`, or at its last entry if that is later.
    static func settledState(_ kind: ClockKind, _ log: [ClockEvent], at: Date, rules: any ClockRules) -> ClockState? {
        ServiceClock(kind: kind, log: log).settledState(at: at) { rules.workingTime(calendar: $0) }
    }
}
