import Foundation
import Logging
import NIOCore
import PostgresNIO

/// One open transaction on one connection of the pool: what the store's statements run in (or, for
/// ``PostgresMessageStore/readEach(_:)``, a connection's statements outside any transaction).
///
/// Every statement collects its rows at once; the store's reads are bounded (pages, one conversation), and a
/// transaction that holds a half-read result set cannot run its next statement.
///
/// Rows that only need inserting are held back and written together (``queueInsert(into:columns:row:suffix:)``):
/// a message's intake inserts a conversation, its clock log and timers, the message, an acknowledgement and
/// several audit events, each of which would otherwise be a round trip of its own. They go in one statement
/// (one `INSERT` per table, chained as data-modifying `WITH` clauses) before anything that could see or touch
/// them: any read, a savepoint, the commit, and any other statement (only a statement naming an events table
/// when nothing but audit events is held, since nothing else reads or references them).
struct PostgresTransaction {
    let connection: PostgresConnection
    let logger: Logger
    private let pending = PendingInserts()

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// One table's rows queued and not sent yet, in the order queued.
    private struct PendingTable {
        var table: String
        var columns: [String]
        var suffix: String
        var rows: [[(any PostgresThrowingDynamicTypeEncodable)?]]
    }

    /// The inserts queued and not sent yet, by table in the order first queued; a transaction runs on one task
    /// at a time.
    private final class PendingInserts {
        var tables: [PendingTable] = []
    }

    static let eventColumns = ["at", "subject_kind", "subject_id", "conversation_id", "kind", "actor", "detail"]

    /// Queues one row of `events` (its values in ``eventColumns`` order), to be written with the others.
    func queueEvent(_ row: [(any PostgresThrowingDynamicTypeEncodable)?]) {
        queueInsert(into: "events", columns: Self.eventColumns, row: row)
    }

    /// Queues one row for `INSERT INTO table (columns) VALUES (row) suffix`, to be written with the others
    /// before anything could read it. An error the row causes (a key already taken) is thrown by the statement
    /// that writes it: the transaction's next read, savepoint end or commit.
    func queueInsert(into table: String, columns: [String], row: [(any PostgresThrowingDynamicTypeEncodable)?], suffix: String = "") {
        precondition(row.count == columns.count, "a row of \(table) has \(row.count) values for \(columns.count) columns")
        if let index = pending.tables.lastIndex(where: { $0.table == table && $0.suffix == suffix && $0.columns == columns }) {
            pending.tables[index].rows.append(row)
        } else {
            pending.tables.append(PendingTable(table: table, columns: columns, suffix: suffix, rows: [row]))
        }
    }

    /// Writes the queued rows in one statement: each table's rows in the order they were queued. The clauses of
    /// one statement share a snapshot, which is why nothing queued reads: foreign keys are checked at its end.
    func flushQueued() async throws {
        guard !pending.tables.isEmpty else { return }
        let tables = pending.tables
        discardQueued()
        var binds = PostgresBindings(capacity: tables.reduce(0) { $0 + $1.rows.count * $1.columns.count })
        var statements: [String] = []
        statements.reserveCapacity(tables.count)
        for table in tables {
            var tuples: [String] = []
            tuples.reserveCapacity(table.rows.count)
            for row in table.rows {
                var placeholders: [String] = []
                placeholders.reserveCapacity(row.count)
                for value in row {
                    if let value { try binds.append(value) } else { binds.appendNull() }
                    placeholders.append("$\(binds.count)")
                }
                tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            }
            statements.append(
                "INSERT INTO \(table.table) (\(table.columns.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", ")) \(table.suffix)")
        }
        let last = statements.removeLast()
        let sql = statements.isEmpty
            ? last
            : "WITH " + statements.enumerated().map { "queued\($0.offset) AS (\($0.element))" }.joined(separator: ", ") + " " + last
        try checkOpen()
        _ = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).get()
    }

    /// Forgets the queued rows: what they belonged to is being rolled back.
    func discardQueued() {
        pending.tables = []
    }

    /// Runs a statement and returns how many rows it changed (0 for a statement that reports none).
    @discardableResult
    func execute(_ query: PostgresQuery) async throws -> Int {
        // Only audit events held: nothing reads or references them but a statement naming an events table.
        if pending.tables.contains(where: { $0.table != "events" }) || (!pending.tables.isEmpty && query.sql.contains("events")) {
            try await flushQueued()
        }
        try checkOpen()
        return try await connection.query(query, logger: logger).get().metadata.rows ?? 0
    }

    /// Every row of a query.
    func rows(_ query: PostgresQuery) async throws -> [PostgresTransaction.Row] {
        try await flushQueued()
        try checkOpen()
        return try await connection.query(query, logger: logger).get().rows.map { Row($0) }
    }

    /// Every row of a prepared statement, which the connection prepares the first time it runs it: for the
    /// statements every message runs, whose planning costs more than their execution.
    func rows<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Row] where Statement.Row == Row {
        try await flushQueued()
        try checkOpen()
        var rows: [Row] = []
        for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
        return rows
    }

    /// Throws when the connection is closed already (its server session ended mid-transaction): a statement
    /// written to a closed connection can wait for an answer that never comes, and hold its caller, a gateway's
    /// graceful shutdown included, until the transaction deadline.
    private func checkOpen() throws {
        if connection.isClosed {
            throw PostgresStorageError(.unreachable, "the connection to the database closed during a transaction")
        }
    }

    /// The first row of a query; nil when there is none.
    func first(_ query: PostgresQuery) async throws -> PostgresTransaction.Row? {
        try await rows(query).first
    }

    /// The first column of the first row; nil when there is no row or it is NULL.
    func scalar<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T? where T._DecodableType == T {
        guard let row = try await first(query) else { return nil }
        return try row.cell(0).decode(T?.self)
    }

    /// The first column of every row.
    func column<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> [T] {
        try await rows(query).map { try $0.cell(0).decode(T.self) }
    }

    /// Runs `body` in a savepoint: when it throws, what it wrote is undone and the transaction goes on (a failed
    /// statement otherwise aborts the whole transaction). A serialization failure is thrown on as it is, since
    /// the transaction that met it can only be retried whole.
    func savepoint<T>(_ body: () async throws -> T) async throws -> T {
        // What was queued before belongs to the transaction, not to the savepoint.
        try await flushQueued()
        try await execute("SAVEPOINT message")
        do {
            let result = try await body()
            try await flushQueued()
            try await execute("RELEASE SAVEPOINT message")
            return result
        } catch {
            discardQueued()
            try await execute("ROLLBACK TO SAVEPOINT message")
            try await execute("RELEASE SAVEPOINT message")
            throw error
        }
    }
}

extension PostgresTransaction {
    /// A result row read by column name or position, as GRDB's rows are in the SQLite store.
    struct Row {
        let row: PostgresRandomAccessRow

        init(_ row: PostgresRow) {
            self.row = row.makeRandomAccess()
        }

        /// The column `name`, decoded; a NULL decodes only into an optional.
        subscript<T: PostgresDecodable>(_ name: String) -> T {
            get throws { try row[name].decode(T.self) }
        }

        func cell(_ index: Int) -> PostgresCell { row[index] }

        /// The column `name`, seconds since 1970, as an instant.
        func date(_ name: String) throws -> Date? {
            try row[name].decode(Double?.self).map(Date.init(timeIntervalSince1970:))
        }

        /// A `bytea` column's bytes.
        func data(_ name: String) throws -> Data? {
            try row[name].decode(ByteBuffer?.self).map { Data($0.readableBytesView) }
        }
    }
}

extension Data {
    /// The bytes as a bind value for a `bytea` column.
    var bytea: ByteBuffer { ByteBuffer(bytes: self) }
}
