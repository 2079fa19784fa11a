import Foundation
import Logging
import NIOCore
import PostgresNIO

/// One open transaction on one connection of the pool: what the store's statements run in.
///
/// Every statement collects its rows at once; the store's reads are bounded (pages, one conversation), and a
/// transaction that holds a half-read result set cannot run its next statement.
///
/// Audit events are held back and written together (``queueEvent(_:)``): a message's intake writes several,
/// each of which would otherwise be a round trip of its own. They are sent before anything that could see or
/// touch them: any read, any statement naming an events table, a savepoint, and the commit.
struct PostgresTransaction {
    let connection: PostgresConnection
    let logger: Logger
    private let pending = PendingEvents()

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// The audit events queued and not sent yet; a transaction runs on one task at a time.
    private final class PendingEvents {
        var rows: [[(any PostgresThrowingDynamicTypeEncodable)?]] = []
    }

    static let eventColumns = ["at", "subject_kind", "subject_id", "conversation_id", "kind", "actor", "detail"]

    /// Queues one row of `events` (its values in ``eventColumns`` order), to be written with the others.
    func queueEvent(_ row: [(any PostgresThrowingDynamicTypeEncodable)?]) {
        pending.rows.append(row)
    }

    /// Writes the queued events, in the order they were queued, in one statement.
    func flushEvents() async throws {
        guard !pending.rows.isEmpty else { return }
        let rows = pending.rows
        pending.rows = []
        try await insert(into: "events", columns: Self.eventColumns, rows: rows)
    }

    /// Forgets the queued events: what they belonged to is being rolled back.
    func discardEvents() {
        pending.rows = []
    }

    /// Runs a statement and returns how many rows it changed (0 for a statement that reports none).
    @discardableResult
    func execute(_ query: PostgresQuery) async throws -> Int {
        if !pending.rows.isEmpty, query.sql.contains("events") { try await flushEvents() }
        try checkOpen()
        return try await connection.query(query, logger: logger).get().metadata.rows ?? 0
    }

    /// Every row of a query.
    func rows(_ query: PostgresQuery) async throws -> [PostgresTransaction.Row] {
        try await flushEvents()
        try checkOpen()
        return try await connection.query(query, logger: logger).get().rows.map { Row($0) }
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

    /// Inserts `rows` in one statement, `INSERT INTO table (columns) VALUES (…), (…) suffix`: one round trip
    /// for what would otherwise be one per row. Each row has a value (or nil for NULL) per column.
    @discardableResult
    func insert(
        into table: String, columns: [String], rows: [[(any PostgresThrowingDynamicTypeEncodable)?]], suffix: String = ""
    ) async throws -> Int {
        guard !rows.isEmpty else { return 0 }
        var binds = PostgresBindings(capacity: rows.count * columns.count)
        var tuples: [String] = []
        tuples.reserveCapacity(rows.count)
        for row in rows {
            precondition(row.count == columns.count, "a row of \(table) has \(row.count) values for \(columns.count) columns")
            var placeholders: [String] = []
            for value in row {
                if let value { try binds.append(value) } else { binds.appendNull() }
                placeholders.append("$\(binds.count)")
            }
            tuples.append("(" + placeholders.joined(separator: ", ") + ")")
        }
        let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", ")) \(suffix)"
        return try await execute(PostgresQuery(unsafeSQL: sql, binds: binds))
    }

    /// Runs `body` in a savepoint: when it throws, what it wrote is undone and the transaction goes on (a failed
    /// statement otherwise aborts the whole transaction). A serialization failure is thrown on as it is, since
    /// the transaction that met it can only be retried whole.
    func savepoint<T>(_ body: () async throws -> T) async throws -> T {
        // What was queued before belongs to the transaction, not to the savepoint.
        try await flushEvents()
        try await execute("SAVEPOINT message")
        do {
            let result = try await body()
            try await flushEvents()
            try await execute("RELEASE SAVEPOINT message")
            return result
        } catch {
            discardEvents()
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
