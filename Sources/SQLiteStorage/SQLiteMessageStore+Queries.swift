import Conversations
import Foundation
import GRDB
import StoreSupport
import SwitchboardCore

extension SQLiteMessageStore {
    public func conversation(id: String) async throws -> Conversation? {
        try await pool.read { db in
            try Self.conversation(db, id: id)
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
        return try await pool.read { db in
            guard let conversation = try Self.conversation(db, id: id) else { return nil }
            let columns = page.includeRaw ? "*" : Self.messageColumnsWithoutRaw
            let messagesAfter = page.messagesAfter ?? Self.beforeAll
            let messages = try Self.page(
                db,
                sql: """
                    SELECT \(columns) FROM messages WHERE conversation_id = ? AND (received_at > ? OR (received_at = ? AND id > ?))
                    ORDER BY received_at, id LIMIT ?
                    """,
                arguments: [id, messagesAfter.position, messagesAfter.position, messagesAfter.id, page.limit + 1], limit: page.limit,
                cursor: { PageCursor(position: $0["received_at"], id: $0["id"]) }, Self.message(from:))
            let outboxAfter = page.outboxAfter ?? Self.beforeAll
            let outbox = try Self.page(
                db,
                sql: """
                    SELECT * FROM outbox WHERE conversation_id = ? AND (created_at > ? OR (created_at = ? AND id > ?))
                    ORDER BY created_at, id LIMIT ?
                    """,
                arguments: [id, outboxAfter.position, outboxAfter.position, outboxAfter.id, page.limit + 1], limit: page.limit,
                cursor: { PageCursor(position: $0["created_at"], id: $0["id"]) }, Self.outboxEntry(from:))
            // Sequence numbers are unique, so the events' cursor needs no tie-break.
            let events = try Self.page(
                db, sql: "SELECT * FROM events WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                arguments: [id, (page.eventsAfter ?? Self.beforeAll).position, page.limit + 1], limit: page.limit,
                cursor: { PageCursor(position: Double($0["seq"] as Int64)) }, Self.event(from:))
            return ConversationDetail(
                conversation: conversation, messages: messages.items, outbox: try Self.listingFiles(db, outbox.items), events: events.items,
                clocks: try Self.clockSummaries(db, conversationID: id, at: now, rules: clockRules),
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
        _ db: Database, sql: String, arguments: StatementArguments, limit: Int, cursor: (Row) -> PageCursor,
        _ decode: (Row) -> T
    ) throws -> (items: [T], next: PageCursor?) {
        var items: [T] = []
        var last: PageCursor?
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            if items.count == limit { return (items, last) }
            items.append(decode(row))
            last = cursor(row)
        }
        return (items, nil)
    }

    public func conversations(customer: String, limit: Int, sources: Set<String>?) async throws -> [Conversation] {
        let (filter, sourceArguments) = Self.sourceFilter(sources)
        // Addresses are stored as the channel gave them; an email address may come in any letter case.
        // SQLite's lower() folds ASCII letters only, and so does this.
        let folded = String(decoding: customer.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
        let sql = """
            SELECT \(Self.conversationRowColumns("conversations")) FROM conversations
            WHERE lower(customer_address) = ?\(filter)
            ORDER BY created_at DESC, id DESC LIMIT ?
            """
        let texts = [folded] + sourceArguments
        return try await pool.read { db in
            var arguments = StatementArguments()
            for text in texts { arguments += [text] }
            arguments += [limit]
            return try ColumnCursor.all(db.makeStatement(sql: sql), arguments: arguments, Self.conversationRow(from:))
                .map(\.conversation)
        }
    }

    /// ` AND source IN (?, …)` and its arguments for a set of sources, or nothing for all sources.
    static func sourceFilter(_ sources: Set<String>?) -> (String, [String]) {
        guard let sources else { return ("", []) }
        guard !sources.isEmpty else { return (" AND 0", []) }
        let sorted = sources.sorted()
        return (" AND source IN (\(Array(repeating: "?", count: sorted.count).joined(separator: ", ")))", sorted)
    }

    public func outboxEntry(id: String) async throws -> OutboxEntry? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [id]).map(Self.outboxEntry(from:))
                .map { try Self.listingFiles(db, [$0])[0] }
        }
    }

    public func outboxCounts() async throws -> [OutboxStatus: Int] {
        try await pool.read { db in
            var counts: [OutboxStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status") {
                if let status = OutboxStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }
}

extension SQLiteMessageStore {
    public func conversationContext(for inbound: InboundMessage) async throws -> ConversationContext? {
        try await pool.read { db in try Self.conversationContext(db, for: inbound) }
    }

    public func intakeFacts(for inbound: InboundMessage, automaticRepliesSince since: Date) async throws -> IntakeFacts {
        // Outside a transaction: every inbound message makes this read, and a read transaction costs two more
        // statements than the queries themselves. The facts are advisory (the writer decides what joins what),
        // so the queries seeing two snapshots a moment apart changes nothing that matters. Concurrent calls
        // share one access to a reader (see `IntakeReadBatcher`).
        try await intakeReads.facts(pool) { db in try Self.intakeFacts(db, for: inbound, automaticRepliesSince: since) }
    }

    public func intakeFacts(for batch: [(inbound: InboundMessage, automaticRepliesSince: Date)]) async throws -> [IntakeFacts] {
        guard !batch.isEmpty else { return [] }
        // One access to a reader for the whole fetch, outside a transaction for the reason above.
        return try await pool.unsafeRead { db in
            try batch.map { try Self.intakeFacts(db, for: $0.inbound, automaticRepliesSince: $0.automaticRepliesSince) }
        }
    }

    private static func intakeFacts(_ db: Database, for inbound: InboundMessage, automaticRepliesSince since: Date) throws -> IntakeFacts {
        if let row = try resolveThread(db, inbound).joins { return .joins(context(row), conversationID: row.conversation.id) }
        return .starts(automaticRepliesSent: try automaticReplyCount(db, recipient: inbound.sender, since: since))
    }

    static func conversationContext(_ db: Database, for inbound: InboundMessage) throws -> ConversationContext? {
        // The conversation's row carries the counts (see migration v6), so this is the lookup the thread
        // needs anyway: it runs for every inbound message, before classification.
        guard let row = try resolveThread(db, inbound).joins else { return nil }
        return context(row)
    }

    private static func context(_ row: ConversationRow) -> ConversationContext {
        ConversationContext(
            priorInboundMessages: row.inboundCount, lastInboundAt: row.lastInboundAt,
            waitingSince: row.waitingSince, reopening: row.conversation.state == .resolved)
    }
}

extension SQLiteMessageStore {
    /// Inbound messages in arrival order, for replaying rules; `after` pages by message id.
    public func inboundMessages(after: String?, limit: Int) async throws -> [Message] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM messages WHERE direction = 'inbound' AND id > ? ORDER BY id LIMIT ?",
                arguments: [after ?? "", limit]
            ).map(Self.message(from:))
        }
    }
}
