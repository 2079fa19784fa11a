import Conversations
import Foundation
import GRDB
import StoreSupport
import SwitchboardCore

/// Rows for the service report and the service-time histograms. The store only reads: the arithmetic is
/// ``ServiceReport``'s and the clock times are ``ServiceClock``'s, over the logs as written.
extension SQLiteMessageStore: ServiceReportStore {
    public func serviceReportRows(from: Date, to: Date, queue: String?, sources: Set<String>?) async throws -> [ServiceReportRow] {
        try await pool.read { db in
            // A repeat contact: another conversation of the same customer (the index on the lower-cased address
            // finds it) within the window. A follow-up the gateway opened (after a low survey score, or as the
            // follow-up task of a resolution; its timeline starts with `follow_up_opened`) is not the customer
            // coming back, so it does not count.
            var sql = """
                SELECT c.id, c.queue, c.created_at, c.channel, EXISTS (
                    SELECT 1 FROM conversations o
                    WHERE lower(o.customer_address) = lower(c.customer_address) AND o.created_at > c.created_at AND o.created_at <= c.created_at + ?
                        AND o.channel = c.channel AND o.source = c.source
                        AND NOT EXISTS (SELECT 1 FROM events f WHERE f.conversation_id = o.id AND f.kind = 'follow_up_opened')
                ) FROM conversations c WHERE c.created_at >= ? AND c.created_at < ?
                """
            var arguments: StatementArguments = [ServiceReportRow.repeatContactWindow, from.timeIntervalSince1970, to.timeIntervalSince1970]
            if let queue {
                sql += " AND c.queue = ?"
                _ = arguments.append(contentsOf: [queue])
            }
            if let sources {
                sql += " AND c.source IN (\(sources.map { _ in "?" }.joined(separator: ", ")))"
                for source in sources.sorted() { _ = arguments.append(contentsOf: [source]) }
            }
            sql += " ORDER BY c.created_at, c.id"
            let counted = ServiceReportRow.countedEvents.map(\.rawValue).sorted()
            let eventKinds = try db.cachedStatement(sql: """
                SELECT DISTINCT kind FROM events
                WHERE conversation_id = ? AND kind IN (\(counted.map { _ in "?" }.joined(separator: ", ")))
                """)
            var rows: [ServiceReportRow] = []
            let conversations = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try conversations.next() {
                let id: String = row[0]
                var eventArguments: StatementArguments = [id]
                _ = eventArguments.append(contentsOf: StatementArguments(counted))
                let kinds = try String.fetchAll(eventKinds, arguments: eventArguments).compactMap(LifecycleEvent.Kind.init(rawValue:))
                let logs = try Self.clockLogs(db, conversationID: id).filter { $0.key == .firstResponse || $0.key == .resolution }
                rows.append(ServiceReportRow(
                    conversationID: id, queue: row[1], channel: ChannelKind(rawValue: row[3]), createdAt: Date(timeIntervalSince1970: row[2]),
                    events: Set(kinds), clockLogs: logs, repeatContact: row[4]))
            }
            return rows
        }
    }

    public func answeredSurveys(from: Date, to: Date, queue: String?, sources: Set<String>?) async throws -> [AnsweredSurvey] {
        try await pool.read { db in
            var sql = """
                SELECT kind, channel, queue, score FROM surveys
                WHERE answered_at >= ? AND answered_at < ? AND score IS NOT NULL
                """
            var arguments: StatementArguments = [from.timeIntervalSince1970, to.timeIntervalSince1970]
            if let queue {
                sql += " AND queue = ?"
                _ = arguments.append(contentsOf: [queue])
            }
            if let sources {
                sql += " AND source IN (\(sources.map { _ in "?" }.joined(separator: ", ")))"
                for source in sources.sorted() { _ = arguments.append(contentsOf: [source]) }
            }
            sql += " ORDER BY answered_at, id"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
                // A kind this build does not know (a newer gateway's) is not counted rather than miscounted.
                guard let kind = SurveyKind(rawValue: row[0]) else { return nil }
                return AnsweredSurvey(kind: kind, channel: ChannelKind(rawValue: row[1]), queue: row[2], score: row[3])
            }
        }
    }
}

extension SQLiteMessageStore: FulfilledClockFeed {
    public func latestClockLogSequence() async throws -> Int64 {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM clock_events") ?? 0 }
    }

    /// One transaction writes each entry and SQLite has one writer, so entries become visible in `seq`
    /// order: reading on from the last `seq` seen skips none.
    public func fulfilledClocks(after sequence: Int64, kinds: Set<ClockKind>, limit: Int) async throws -> [FulfilledClock] {
        guard !kinds.isEmpty, limit > 0 else { return [] }
        let names = kinds.map(\.rawValue).sorted()
        return try await pool.read { db in
            var arguments: StatementArguments = [sequence]
            _ = arguments.append(contentsOf: StatementArguments(names))
            _ = arguments.append(contentsOf: [limit])
            let found = try Row.fetchAll(
                db, sql: """
                    SELECT e.seq, e.conversation_id, e.clock, c.queue FROM clock_events e JOIN conversations c ON c.id = e.conversation_id
                    WHERE e.seq > ? AND e.action = 'fulfilled' AND e.clock IN (\(names.map { _ in "?" }.joined(separator: ", ")))
                    ORDER BY e.seq LIMIT ?
                    """,
                arguments: arguments)
            var fulfilled: [FulfilledClock] = []
            for row in found {
                let seq: Int64 = row[0], conversationID: String = row[1], clock: String = row[2]
                guard let kind = ClockKind(rawValue: clock), let log = try Self.clockLogs(db, conversationID: conversationID)[kind] else { continue }
                // The log as it stood at this fulfilment: up to its n-th `fulfilled` entry (those always read
                // back, so counting them in SQL and in the log agree).
                let nth = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM clock_events WHERE conversation_id = ? AND clock = ? AND action = 'fulfilled' AND seq <= ?",
                    arguments: [conversationID, clock, seq]) ?? 0
                guard nth > 0 else { continue }
                var seen = 0
                guard let end = log.firstIndex(where: { event in
                    if event.action == .fulfilled { seen += 1 }
                    return seen == nth
                }) else { continue }
                fulfilled.append(FulfilledClock(
                    sequence: seq, conversationID: conversationID, queue: row[3], kind: kind, log: Array(log[...end])))
            }
            return fulfilled
        }
    }
}
