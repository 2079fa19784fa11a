import Conversations
import Foundation
import GRDB
import StoreSupport
import SwitchboardCore

/// What agents and supervisors see of queues: each queue's counts, and a queue's conversations page by
/// page, next deadline first, by the deadlines the clock log writes keep on each row
/// (``storeDeadline(_:conversationID:logs:at:rules:)``).
extension SQLiteMessageStore {
    public func queueSummaries(now: Date, sources: Set<String>?) async throws -> [QueueSummary] {
        let (filter, sourceArguments) = Self.sourceFilter(sources)
        var counted: StatementArguments = [now.timeIntervalSince1970]
        for source in sourceArguments { counted += [source] }
        let arguments = counted
        // ?1 is the instant every count is read at.
        let sql = """
            SELECT queue, state, COUNT(*),
                SUM(CASE WHEN owner IS NULL THEN 1 ELSE 0 END),
                SUM(CASE WHEN next_due_at > ?1 AND next_warn_at <= ?1 THEN 1 ELSE 0 END),
                SUM(CASE WHEN next_due_at <= ?1 THEN 1 ELSE 0 END),
                SUM(CASE WHEN sla_due_at IS NOT NULL AND sla_due_at < ?1 THEN 1 ELSE 0 END)
            FROM conversations WHERE state NOT IN ('resolved', 'closed')\(filter)
            GROUP BY queue, state ORDER BY queue
            """
        return try await pool.read { db in
            var summaries: [QueueSummary] = []
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                let queue: String = row[0]
                if summaries.last?.queue != queue { summaries.append(QueueSummary(queue: queue, open: 0, overdue: 0)) }
                let count: Int = row[2]
                summaries[summaries.count - 1].open += count
                summaries[summaries.count - 1].unassigned += row[3] as Int
                summaries[summaries.count - 1].dueSoon += row[4] as Int
                summaries[summaries.count - 1].breached += row[5] as Int
                summaries[summaries.count - 1].overdue += row[6] as Int
                if let state = ConversationState(rawValue: row[1]) { summaries[summaries.count - 1].openByState[state, default: 0] += count }
            }
            return summaries
        }
    }

    public func queuePage(_ listing: QueueListing) async throws -> QueuePage {
        let (sql, arguments) = Self.queuePageQuery(listing)
        let rules = clockRules
        let now = listing.now
        return try await pool.read { db in
            var entries: [QueueEntry] = []
            var last: QueueCursor?
            var more = false
            // next_due_at comes after the conversation's columns.
            let nextDueColumn = CInt(Self.conversationRowColumnNames.count)
            let rows = try ColumnCursor(db.makeStatement(sql: sql), arguments: arguments) { columns in
                (Self.conversationRow(from: columns).conversation, columns.double(nextDueColumn))
            }
            while case let (conversation, nextDue)? = try rows.next() {
                guard entries.count < listing.limit else {
                    more = true
                    break
                }
                entries.append(QueueEntry(conversation: conversation, nextDueAt: nextDue.map(Date.init(timeIntervalSince1970:)), clocks: []))
                last = QueueCursor(
                    deadline: nextDue ?? QueueCursor.noDeadline, createdAt: conversation.createdAt.timeIntervalSince1970, id: conversation.id)
            }
            // The clocks of just this page's conversations, in the same snapshot.
            for index in entries.indices {
                entries[index].clocks = try Self.clockSummaries(db, conversationID: entries[index].conversation.id, at: now, rules: rules)
            }
            return QueuePage(entries: entries, next: more ? last : nil)
        }
    }

    /// The query of one page: one row more than the page holds, so the next page's existence needs no count.
    ///
    /// Listing open states only repeats the open-state condition of the `conversations_queue_deadline`
    /// index word for word, so SQLite walks that index in list order and stops after the page.
    static func queuePageQuery(_ listing: QueueListing) -> (String, StatementArguments) {
        var sql = "SELECT \(conversationRowColumns("conversations")), next_due_at FROM conversations WHERE queue = ?"
        var arguments: StatementArguments = [listing.queue]
        if listing.states.isSubset(of: QueueListing.openStates) { sql += " AND state NOT IN ('resolved', 'closed')" }
        if listing.states != QueueListing.openStates {
            let states = listing.states.map(\.rawValue).sorted()
            sql += " AND state IN (\(states.map { _ in "?" }.joined(separator: ", ")))"
            for state in states { arguments += [state] }
        }
        let (filter, sources) = sourceFilter(listing.sources)
        sql += filter
        for source in sources { arguments += [source] }
        switch listing.owner {
        case let .agent(id)?:
            sql += " AND owner = ?"
            arguments += [id]
        case .nobody?:
            sql += " AND owner IS NULL"
        case nil:
            break
        }
        let now = listing.now.timeIntervalSince1970
        switch listing.breached {
        case true?:
            sql += " AND \(deadlineKey) <= ?"
            arguments += [now]
        case false?:
            sql += " AND \(deadlineKey) > ?"
            arguments += [now]
        case nil:
            break
        }
        if let within = listing.dueWithin {
            sql += " AND \(deadlineKey) <= ?"
            arguments += [now + within]
        }
        if let after = listing.after {
            // After (deadline, created_at, id): spelt out rather than as a row value, whose comparison SQLite
            // does not take as a range of the index, so each page would scan from the queue's start.
            sql += " AND \(deadlineKey) >= ? AND (\(deadlineKey) > ? OR created_at > ? OR (created_at = ? AND id > ?))"
            arguments += [after.deadline, after.deadline, after.createdAt, after.createdAt, after.id]
        }
        sql += " ORDER BY \(deadlineKey), created_at, id LIMIT ?"
        arguments += [listing.limit + 1]
        return (sql, arguments)
    }
}
