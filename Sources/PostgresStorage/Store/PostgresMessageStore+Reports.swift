import Conversations
import Foundation
import PostgresNIO
import StoreSupport
import SwitchboardCore

/// Rows for the service report and the service-time histograms. The store only reads: the arithmetic is
/// ``ServiceReport``'s and the clock times are ``ServiceClock``'s, over the logs as written.
extension PostgresMessageStore: ServiceReportStore {
    /// How many conversations' events and clock logs the service report reads per query.
    static let reportChunk = 500

    public func serviceReportRows(from: Date, to: Date, queue: String?, sources: Set<String>?) async throws -> [ServiceReportRow] {
        let sourceList = sources.map { Array($0) } ?? []
        let counted = ServiceReportRow.countedEvents.map(\.rawValue).sorted()
        return try await read { db in
            // A repeat contact: another conversation of the same customer (the index on the lower-cased address
            // finds it) within the window. A follow-up the gateway opened (after a low survey score, or as the
            // follow-up task of a resolution; its timeline starts with `follow_up_opened`) is not the customer
            // coming back, so it does not count.
            let conversations = try await db.rows("""
                SELECT c.id, c.queue, c.created_at, c.channel, EXISTS (
                    SELECT 1 FROM conversations o
                    WHERE lower(o.customer_address) = lower(c.customer_address) AND o.created_at > c.created_at
                        AND o.created_at <= c.created_at + \(ServiceReportRow.repeatContactWindow)
                        AND o.channel = c.channel AND o.source = c.source
                        AND NOT EXISTS (SELECT 1 FROM events f WHERE f.conversation_id = o.id AND f.kind = 'follow_up_opened')
                ) AS repeat_contact
                FROM conversations c WHERE c.created_at >= \(from.timeIntervalSince1970) AND c.created_at < \(to.timeIntervalSince1970)
                    AND (\(queue == nil) OR c.queue = \(queue ?? ""))
                    AND (\(sources == nil) OR c.source = ANY(\(sourceList)))
                ORDER BY c.created_at, c.id COLLATE "C"
                """)
            var rows: [ServiceReportRow] = []
            rows.reserveCapacity(conversations.count)
            // The events and clock logs of a chunk of conversations at a time: one query each per chunk rather
            // than per conversation, since every gateway refreshes the report's gauges every minute.
            for start in stride(from: 0, to: conversations.count, by: Self.reportChunk) {
                let chunk = conversations[start..<min(start + Self.reportChunk, conversations.count)]
                let ids = try chunk.map { try $0["id"] as String }
                var kinds: [String: Set<LifecycleEvent.Kind>] = [:]
                for event in try await db.rows(
                    "SELECT DISTINCT conversation_id, kind FROM events WHERE conversation_id = ANY(\(ids)) AND kind = ANY(\(counted))")
                {
                    if let kind = LifecycleEvent.Kind(rawValue: try event["kind"]) {
                        kinds[try event["conversation_id"] as String, default: []].insert(kind)
                    }
                }
                let logs = try await Self.clockLogs(db, conversationIDs: ids)
                for (row, id) in zip(chunk, ids) {
                    rows.append(ServiceReportRow(
                        conversationID: id, queue: try row["queue"], channel: ChannelKind(rawValue: try row["channel"]),
                        createdAt: Date(timeIntervalSince1970: try row["created_at"]), events: kinds[id] ?? [],
                        clockLogs: (logs[id] ?? [:]).filter { $0.key == .firstResponse || $0.key == .resolution },
                        repeatContact: try row["repeat_contact"]))
                }
            }
            return rows
        }
    }

    public func answeredSurveys(from: Date, to: Date, queue: String?, sources: Set<String>?) async throws -> [AnsweredSurvey] {
        let sourceList = sources.map { Array($0) } ?? []
        return try await read { db in
            try await db.rows("""
                SELECT kind, channel, queue, score FROM surveys
                WHERE answered_at >= \(from.timeIntervalSince1970) AND answered_at < \(to.timeIntervalSince1970) AND score IS NOT NULL
                    AND (\(queue == nil) OR queue = \(queue ?? ""))
                    AND (\(sources == nil) OR source = ANY(\(sourceList)))
                ORDER BY answered_at, id COLLATE "C"
                """).compactMap { row in
                // A kind this build does not know (a newer gateway's) is not counted rather than miscounted.
                guard let kind = SurveyKind(rawValue: try row["kind"]) else { return nil }
                return AnsweredSurvey(kind: kind, channel: ChannelKind(rawValue: try row["channel"]), queue: try row["queue"], score: try row["score"])
            }
        }
    }
}

extension PostgresMessageStore: FulfilledClockFeed {
    /// How many times ``fulfilledClocks(after:kinds:limit:)`` looks again, 10 ms apart, for the transactions
    /// that were writing when it began to finish, before it answers with nothing for now.
    static let fulfilledSettleChecks = 100

    public func latestClockLogSequence() async throws -> Int64 {
        try await read { db in try await db.scalar("SELECT MAX(seq) FROM clock_events", as: Int64.self) ?? 0 }
    }

    /// Unlike SQLite's, several writers commit here at once, and `seq` is handed out when a transaction inserts,
    /// not when it commits: an entry may become visible after one with a higher `seq`, and a reader that had
    /// moved past that would never see it. So the answer stops at the newest `seq` visible when the call began
    /// (its bound), and comes only once every transaction that was running then has ended: any entry at or
    /// below the bound is then either committed or never will be. While one of those is still running after
    /// the settle checks, the answer is empty and the caller looks again on its next round.
    public func fulfilledClocks(after sequence: Int64, kinds: Set<ClockKind>, limit: Int) async throws -> [FulfilledClock] {
        guard !kinds.isEmpty, limit > 0 else { return [] }
        let names = kinds.map(\.rawValue).sorted()
        // The bound, and the first transaction id not yet handed out when it was read.
        let (bound, horizon) = try await read { db -> (Int64, String) in
            guard let row = try await db.first(
                "SELECT MAX(seq) AS bound, pg_snapshot_xmax(pg_current_snapshot())::text AS horizon FROM clock_events") else { return (0, "0") }
            return ((try row["bound"] as Int64?) ?? 0, try row["horizon"])
        }
        guard bound > sequence else { return [] }
        for check in 0..<Self.fulfilledSettleChecks {
            if check > 0 { try await Task.sleep(for: .milliseconds(10)) }
            let found: [FulfilledClock]? = try await read { db in
                guard try await db.scalar(
                    "SELECT pg_snapshot_xmin(pg_current_snapshot()) >= \(horizon)::xid8", as: Bool.self) == true else { return nil }
                return try await Self.fulfilledClocks(db, after: sequence, upTo: bound, names: names, limit: limit)
            }
            if let found { return found }
        }
        return []
    }

    private static func fulfilledClocks(
        _ db: PostgresTransaction, after sequence: Int64, upTo bound: Int64, names: [String], limit: Int
    ) async throws -> [FulfilledClock] {
        let found = try await db.rows("""
            SELECT e.seq, e.conversation_id, e.clock, c.queue FROM clock_events e JOIN conversations c ON c.id = e.conversation_id
            WHERE e.seq > \(sequence) AND e.seq <= \(bound) AND e.action = 'fulfilled' AND e.clock = ANY(\(names))
            ORDER BY e.seq LIMIT \(limit)
            """)
        var fulfilled: [FulfilledClock] = []
        for row in found {
            let seq: Int64 = try row["seq"], conversationID: String = try row["conversation_id"], clock: String = try row["clock"]
            guard let kind = ClockKind(rawValue: clock), let log = try await clockLogs(db, conversationID: conversationID)[kind] else { continue }
            // The log as it stood at this fulfilment: up to its n-th `fulfilled` entry (those always read
            // back, so counting them in SQL and in the log agree).
            let nth = try await db.scalar("""
                SELECT COUNT(*) FROM clock_events
                WHERE conversation_id = \(conversationID) AND clock = \(clock) AND action = 'fulfilled' AND seq <= \(seq)
                """, as: Int.self) ?? 0
            guard nth > 0 else { continue }
            var seen = 0
            guard let end = log.firstIndex(where: { event in
                if event.action == .fulfilled { seen += 1 }
                return seen == nth
            }) else { continue }
            fulfilled.append(FulfilledClock(
                sequence: seq, conversationID: conversationID, queue: try row["queue"], kind: kind, log: Array(log[...end])))
        }
        return fulfilled
    }
}
