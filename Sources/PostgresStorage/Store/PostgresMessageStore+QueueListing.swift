import Conversations
import Foundation
import PostgresNIO
import StoreSupport
import SwitchboardCore

/// What agents and supervisors see of queues: each queue's counts, and a queue's conversations page by
/// page, next deadline first, by the deadlines the clock log writes keep on each row
/// (``storeDeadline(_:conversationID:_:)``).
extension PostgresMessageStore {
    public func queueSummaries(now: Date, sources: Set<String>?) async throws -> [QueueSummary] {
        let at = now.timeIntervalSince1970
        let sourceList = sources.map { Array($0) } ?? []
        // Queues sorted by their bytes, as SQLite's binary collation does, and each queue's groups together.
        let query: PostgresQuery = """
            SELECT queue, state, COUNT(*) AS open,
                SUM(CASE WHEN owner IS NULL THEN 1 ELSE 0 END)::bigint AS unassigned,
                SUM(CASE WHEN next_due_at > \(at) AND next_warn_at <= \(at) THEN 1 ELSE 0 END)::bigint AS due_soon,
                SUM(CASE WHEN next_due_at <= \(at) THEN 1 ELSE 0 END)::bigint AS breached,
                SUM(CASE WHEN sla_due_at IS NOT NULL AND sla_due_at < \(at) THEN 1 ELSE 0 END)::bigint AS overdue
            FROM conversations WHERE state NOT IN ('resolved', 'closed')
                AND (\(sources == nil) OR source = ANY(\(sourceList)))
            GROUP BY queue, state ORDER BY queue COLLATE "C"
            """
        return try await read { db in
            var summaries: [QueueSummary] = []
            for row in try await db.rows(query) {
                let queue: String = try row["queue"]
                if summaries.last?.queue != queue { summaries.append(QueueSummary(queue: queue, open: 0, overdue: 0)) }
                let count: Int = try row["open"]
                summaries[summaries.count - 1].open += count
                summaries[summaries.count - 1].unassigned += try row["unassigned"] as Int
                summaries[summaries.count - 1].dueSoon += try row["due_soon"] as Int
                summaries[summaries.count - 1].breached += try row["breached"] as Int
                summaries[summaries.count - 1].overdue += try row["overdue"] as Int
                if let state = ConversationState(rawValue: try row["state"]) {
                    summaries[summaries.count - 1].openByState[state, default: 0] += count
                }
            }
            return summaries
        }
    }

    public func queuePage(_ listing: QueueListing) async throws -> QueuePage {
        let query = Self.queuePageQuery(listing)
        let rules = clockRules
        let now = listing.now
        return try await read { db in
            var entries: [QueueEntry] = []
            var last: QueueCursor?
            var more = false
            for row in try await db.rows(query) {
                guard entries.count < listing.limit else {
                    more = true
                    break
                }
                let conversation = try Self.conversationRow(from: row).conversation
                let nextDue = try row["next_due_at"] as Double?
                entries.append(QueueEntry(conversation: conversation, nextDueAt: nextDue.map(Date.init(timeIntervalSince1970:)), clocks: []))
                last = QueueCursor(
                    deadline: nextDue ?? QueueCursor.noDeadline, createdAt: conversation.createdAt.timeIntervalSince1970, id: conversation.id)
            }
            // The clocks of just this page's conversations, in the same snapshot.
            for index in entries.indices {
                entries[index].clocks = try await Self.clockSummaries(db, conversationID: entries[index].conversation.id, at: now, rules: rules)
            }
            return QueuePage(entries: entries, next: more ? last : nil)
        }
    }

    /// The query of one page: one row more than the page holds, so the next page's existence needs no count.
    ///
    /// Listing open states only repeats the open-state condition of the `conversations_queue_deadline`
    /// index word for word, so the index can be walked in list order. Ids compare and sort `COLLATE "C"`,
    /// byte by byte as in SQLite, so a cursor continues where its page ended whatever the database's collation.
    static func queuePageQuery(_ listing: QueueListing) -> PostgresQuery {
        var binds = PostgresBindings()
        func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        var sql = "SELECT \(conversationRowColumns("conversations")), next_due_at FROM conversations WHERE queue = \(bind(listing.queue))"
        if listing.states.isSubset(of: QueueListing.openStates) { sql += " AND state NOT IN ('resolved', 'closed')" }
        if listing.states != QueueListing.openStates {
            sql += " AND state = ANY(\(bind(listing.states.map(\.rawValue).sorted())))"
        }
        if let sources = listing.sources {
            sql += " AND source = ANY(\(bind(sources.sorted())))"
        }
        switch listing.owner {
        case let .agent(id)?:
            sql += " AND owner = \(bind(id))"
        case .nobody?:
            sql += " AND owner IS NULL"
        case nil:
            break
        }
        let now = listing.now.timeIntervalSince1970
        switch listing.breached {
        case true?:
            sql += " AND \(deadlineKey) <= \(bind(now))"
        case false?:
            sql += " AND \(deadlineKey) > \(bind(now))"
        case nil:
            break
        }
        if let within = listing.dueWithin {
            sql += " AND \(deadlineKey) <= \(bind(now + within))"
        }
        if let after = listing.after {
            // After (deadline, created_at, id), spelt out as in SQLite's store, with a lower bound on the
            // deadline the index scan can start from.
            let deadline = bind(after.deadline), createdAt = bind(after.createdAt)
            sql += " AND \(deadlineKey) >= \(deadline) AND (\(deadlineKey) > \(deadline) OR created_at > \(createdAt)"
                + " OR (created_at = \(createdAt) AND id COLLATE \"C\" > \(bind(after.id))))"
        }
        sql += " ORDER BY \(deadlineKey), created_at, id COLLATE \"C\" LIMIT \(bind(listing.limit + 1))"
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}
