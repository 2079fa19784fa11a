import Conversations
import Foundation
import PostgresNIO
import StoreSupport
import SwitchboardCore

extension PostgresMessageStore {
    public func conversation(id: String) async throws -> Conversation? {
        try await read { db in
            try await Self.conversation(db, id: id)
        }
    }

    /// Every column of `messages` but the raw payload: a conversation's detail reads that only when asked,
    /// since a few large emails made one detail read tens of megabytes.
    static let messageColumnsWithoutRaw = """
        id, conversation_id, direction, channel, source, external_id, sender, recipients, subject, text, received_at,
        classification, threaded_by, metadata
        """

    public func conversationDetail(id: String, page: ConversationDetailPage) async throws -> ConversationDetail? {
        let clockRules = clockRules
        let now = page.at ?? Date()
        return try await read { db in
            guard let conversation = try await Self.conversation(db, id: id) else { return nil }
            let columns = page.includeRaw ? "*" : Self.messageColumnsWithoutRaw
            let messagesAfter = page.messagesAfter ?? Self.beforeAll
            let messages = try await Self.page(
                db,
                """
                SELECT \(unescaped: columns) FROM messages WHERE conversation_id = \(id)
                    AND (received_at > \(messagesAfter.position)
                        OR (received_at = \(messagesAfter.position) AND id COLLATE "C" > \(messagesAfter.id)))
                ORDER BY received_at, id COLLATE "C" LIMIT \(page.limit + 1)
                """, limit: page.limit,
                cursor: { PageCursor(position: try $0["received_at"], id: try $0["id"]) }, { try Self.message(from: $0, withRaw: page.includeRaw) })
            let outboxAfter = page.outboxAfter ?? Self.beforeAll
            let outbox = try await Self.page(
                db,
                """
                SELECT * FROM outbox WHERE conversation_id = \(id)
                    AND (created_at > \(outboxAfter.position) OR (created_at = \(outboxAfter.position) AND id COLLATE "C" > \(outboxAfter.id)))
                ORDER BY created_at, id COLLATE "C" LIMIT \(page.limit + 1)
                """, limit: page.limit,
                cursor: { PageCursor(position: try $0["created_at"], id: try $0["id"]) }, Self.outboxEntry(from:))
            // Sequence numbers are unique, so the events' cursor needs no tie-break.
            let events = try await Self.page(
                db,
                """
                SELECT * FROM events WHERE conversation_id = \(id) AND seq > \((page.eventsAfter ?? Self.beforeAll).position)
                ORDER BY seq LIMIT \(page.limit + 1)
                """, limit: page.limit,
                cursor: { PageCursor(position: Double(try $0["seq"] as Int64)) }, Self.event(from:))
            return ConversationDetail(
                conversation: conversation, messages: messages.items, outbox: try await Self.listingFiles(db, outbox.items),
                events: events.items,
                clocks: try await Self.clockSummaries(db, conversationID: id, at: now, rules: clockRules),
                next: ConversationDetail.NextPages(messages: messages.next?.text, outbox: outbox.next?.text, events: events.next?.text))
        }
    }

    /// A cursor before every item of every list.
    private static let beforeAll = PageCursor(position: -Double.greatestFiniteMagnitude)

    /// Up to `limit` rows of a list, and the cursor of the next page when the query (which asks for one
    /// row more than `limit`, so nothing needs counting) found more.
    ///
    /// The cursor takes the last row's position from its column rather than from the decoded `Date`,
    /// which need not convert back to the same bits.
    private static func page<T>(
        _ db: PostgresTransaction, _ query: PostgresQuery, limit: Int, cursor: (PostgresTransaction.Row) throws -> PageCursor,
        _ decode: (PostgresTransaction.Row) throws -> T
    ) async throws -> (items: [T], next: PageCursor?) {
        var items: [T] = []
        var last: PageCursor?
        for row in try await db.rows(query) {
            if items.count == limit { return (items, last) }
            items.append(try decode(row))
            last = try cursor(row)
        }
        return (items, nil)
    }

    public func conversations(customer: String, limit: Int, sources: Set<String>?) async throws -> [Conversation] {
        // Addresses are stored as the channel gave them; an email address may come in any letter case.
        // The SQLite store folds ASCII letters only, and so does this on the argument; the column is folded
        // by lower(), which the index holds.
        let folded = String(decoding: customer.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
        return try await read { db in
            try await db.rows("""
                SELECT \(unescaped: Self.conversationColumns) FROM conversations
                WHERE lower(customer_address) = \(folded)
                    AND (\(sources == nil) OR source = ANY(\(sources.map { Array($0) } ?? [])))
                ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT \(limit)
                """).map { try Self.conversationRow(from: $0).conversation }
        }
    }

    public func outboxEntry(id: String) async throws -> OutboxEntry? {
        try await read { db in
            guard let entry = try await db.first("SELECT * FROM outbox WHERE id = \(id)").map(Self.outboxEntry(from:)) else { return nil }
            return try await Self.listingFiles(db, [entry])[0]
        }
    }

    public func outboxCounts() async throws -> [OutboxStatus: Int] {
        try await read { db in
            var counts: [OutboxStatus: Int] = [:]
            for row in try await db.rows("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status") {
                if let status = OutboxStatus(rawValue: try row["status"]) { counts[status] = try row["n"] }
            }
            return counts
        }
    }
}

extension PostgresMessageStore {
    public func conversationContext(for inbound: InboundMessage) async throws -> ConversationContext? {
        try await readEach { db in try await Self.conversationContext(db, for: inbound) }
    }

    public func intakeFacts(for inbound: InboundMessage, automaticRepliesSince since: Date) async throws -> IntakeFacts {
        // The facts are advisory (the ingest decides what joins what), so each read may take its own snapshot.
        try await readEach { db in try await Self.intakeFacts(db, for: inbound, automaticRepliesSince: since) }
    }

    public func intakeFacts(for batch: [(inbound: InboundMessage, automaticRepliesSince: Date)]) async throws -> [IntakeFacts] {
        guard !batch.isEmpty else { return [] }
        // One connection taken from the pool for the whole batch.
        return try await readEach { db in
            var facts: [IntakeFacts] = []
            facts.reserveCapacity(batch.count)
            for (inbound, since) in batch { facts.append(try await Self.intakeFacts(db, for: inbound, automaticRepliesSince: since)) }
            return facts
        }
    }

    private static func intakeFacts(
        _ db: PostgresTransaction, for inbound: InboundMessage, automaticRepliesSince since: Date
    ) async throws -> IntakeFacts {
        let known = try await intakeLookup(db, inbound).facts
        if let row = try await resolveThread(db, inbound, known: known).joins { return .joins(context(row), conversationID: row.conversation.id) }
        return .starts(automaticRepliesSent: try await automaticReplyCount(db, recipient: inbound.sender, since: since))
    }

    static func conversationContext(_ db: PostgresTransaction, for inbound: InboundMessage) async throws -> ConversationContext? {
        // The conversation's row carries the counts, so this is the lookup the thread needs anyway: it runs
        // for every inbound message, before classification.
        guard let row = try await resolveThread(db, inbound, known: try await intakeLookup(db, inbound).facts).joins else { return nil }
        return context(row)
    }

    private static func context(_ row: ConversationRow) -> ConversationContext {
        ConversationContext(
            priorInboundMessages: row.inboundCount, lastInboundAt: row.lastInboundAt,
            waitingSince: row.waitingSince, reopening: row.conversation.state == .resolved)
    }
}

extension PostgresMessageStore {
    /// Inbound messages in arrival order, for replaying rules; `after` pages by message id.
    public func inboundMessages(after: String?, limit: Int) async throws -> [Message] {
        try await read { db in
            try await db.rows("""
                SELECT * FROM messages WHERE direction = 'inbound' AND id COLLATE "C" > \(after ?? "")
                ORDER BY id COLLATE "C" LIMIT \(limit)
                """).map { try Self.message(from: $0) }
        }
    }
}
