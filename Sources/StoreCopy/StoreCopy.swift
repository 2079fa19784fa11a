import Foundation
import GRDB
import Logging
import PostgresNIO
import PostgresStorage
import SQLiteStorage

/// Moves an embedded deployment onto PostgreSQL: every row of every table of the SQLite file, copied into an
/// empty, migrated PostgreSQL database in one transaction, then counted on both sides.
///
/// Both schemas come from the same migrations, table for table and column for column, so the copy is generic:
/// each value is converted to the PostgreSQL column's type (a 0/1 flag to `boolean`, a BLOB to `bytea`), and
/// identity columns keep their numbers, their sequences moved past them afterwards.
public struct StoreCopy: Sendable {
    /// Rows per INSERT statement.
    static let batch = 500
    /// Tables others refer to, copied first; the rest follow by name.
    static let first = ["conversations", "messages", "attachment_blobs"]

    public struct Report: Sendable {
        /// Rows per table, equal on both sides.
        public var counts: [(table: String, rows: Int)]
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public let sqliteDirectory: String
    public let postgres: PostgresSettings

    public init(sqliteDirectory: String, postgres: PostgresSettings) {
        self.sqliteDirectory = sqliteDirectory
        self.postgres = postgres
    }

    /// Copies and verifies. Refuses a target that already holds conversations, so a second run cannot mix two
    /// deployments; on any failure the target is left as it was (the copy is one transaction).
    public func run(logger: Logger, progress: (String) -> Void) async throws -> Report {
        let path = (sqliteDirectory as NSString).appendingPathComponent("switchboard.sqlite")
        guard FileManager.default.fileExists(atPath: path) else { throw Failure(description: "no SQLite database at \(path)") }
        // Opening the store brings the file to this build's schema, as the target is brought by the migrator.
        let source = try SQLiteMessageStore(path: path)
        let reader = try DatabaseQueue(path: source.path)
        try await PostgresMigrator().migrate(settings: postgres, logger: logger)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: try postgres.connectionConfiguration, id: 1, logger: logger)
        } catch {
            throw PostgresStorageError(error, while: "connecting to", settings: postgres)
        }
        do {
            let report = try await copy(from: reader, to: connection, logger: logger, progress: progress)
            try await connection.close()
            return report
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private func copy(from reader: DatabaseQueue, to connection: PostgresConnection, logger: Logger, progress: (String) -> Void) async throws -> Report {
        let tables = try await reader.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'")
        }
        let ordered = Self.first.filter(tables.contains) + tables.filter { !Self.first.contains($0) }.sorted()
        let existing = try await Self.count(connection, "conversations", logger: logger)
        guard existing == 0 else {
            throw Failure(description: "\(postgres) already holds \(existing) conversations: copy into an empty database")
        }
        let counts = try await connection.withTransaction(logger: logger) { connection in
            var counts: [(table: String, rows: Int)] = []
            for table in ordered {
                let copied = try await copy(table, from: reader, to: connection, logger: logger)
                progress("\(table): \(copied) rows")
                counts.append((table, copied))
            }
            return counts
        }
        for (table, rows) in counts {
            let source = try await reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(table)\"") ?? 0 }
            let target = try await Self.count(connection, table, logger: logger)
            guard source == rows, target == rows else {
                throw Failure(description: "\(table): \(source) rows in SQLite, \(rows) copied, \(target) in PostgreSQL")
            }
        }
        return Report(counts: counts)
    }

    /// Copies one table in batches by rowid; returns the rows copied.
    private func copy(_ table: String, from reader: DatabaseQueue, to connection: PostgresConnection, logger: Logger) async throws -> Int {
        let types = try await Self.columnTypes(table, connection, logger: logger)
        let columns = try await reader.read { db in try db.columns(in: table).map(\.name) }
        let missing = columns.filter { types[$0] == nil }
        guard missing.isEmpty else { throw Failure(description: "\(table): PostgreSQL has no column \(missing.joined(separator: ", "))") }
        let identities = try await Self.identityColumns(table, connection, logger: logger)
        let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        var after: Int64 = .min, copied = 0
        while true {
            let rows = try reader.read { db in
                try Row.fetchAll(db, sql: "SELECT rowid AS sb_rowid, \(list) FROM \"\(table)\" WHERE rowid > ? ORDER BY rowid LIMIT \(Self.batch)", arguments: [after])
            }
            guard let last = rows.last else { break }
            after = last["sb_rowid"]
            var bindings = PostgresBindings(capacity: rows.count * columns.count)
            var tuples: [String] = []
            for row in rows {
                var placeholders: [String] = []
                for column in columns {
                    try Self.bind(row[column] as DatabaseValue, as: types[column]!, column: "\(table).\(column)", into: &bindings)
                    placeholders.append("$\(bindings.count)")
                }
                tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            }
            let overriding = identities.isEmpty ? "" : " OVERRIDING SYSTEM VALUE"
            try await connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \"\(table)\" (\(list))\(overriding) VALUES \(tuples.joined(separator: ", "))", binds: bindings),
                logger: logger)
            copied += rows.count
        }
        for column in identities {
            try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'), COALESCE((SELECT max("\(column)") FROM "\(table)"), 0) + 1, false)
                """), logger: logger)
        }
        return copied
    }

    /// A SQLite value as the PostgreSQL column's type.
    static func bind(_ value: DatabaseValue, as type: String, column: String, into bindings: inout PostgresBindings) throws {
        switch value.storage {
        case .null:
            bindings.appendNull()
        case let .int64(number):
            switch type {
            case "boolean": bindings.append(number != 0)
            case "double precision": bindings.append(Double(number))
            case "text": bindings.append(String(number))
            default: bindings.append(Int(number))
            }
        case let .double(number):
            switch type {
            case "bigint": bindings.append(Int(number))
            case "text": bindings.append(String(number))
            default: bindings.append(number)
            }
        case let .string(text):
            switch type {
            case "bytea": bindings.append(ByteBuffer(string: text))
            default: bindings.append(text)
            }
        case let .blob(data):
            switch type {
            case "bytea": bindings.append(ByteBuffer(bytes: data))
            case "text":
                guard let text = String(data: data, encoding: .utf8) else { throw Failure(description: "\(column): a BLOB that is not UTF-8 text") }
                bindings.append(text)
            default: throw Failure(description: "\(column): a BLOB where PostgreSQL has \(type)")
            }
        }
    }

    static func columnTypes(_ table: String, _ connection: PostgresConnection, logger: Logger) async throws -> [String: String] {
        var types: [String: String] = [:]
        let rows = try await connection.query(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(table)",
            logger: logger)
        for try await (name, type) in rows.decode((String, String).self) { types[name] = type }
        guard !types.isEmpty else { throw Failure(description: "PostgreSQL has no table \(table)") }
        return types
    }

    static func identityColumns(_ table: String, _ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        var names: [String] = []
        let rows = try await connection.query(
            """
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(table) AND is_identity = 'YES'
            """, logger: logger)
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    static func count(_ connection: PostgresConnection, _ table: String, logger: Logger) async throws -> Int {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \"\(table)\""), logger: logger)
        var count = 0
        for try await value in rows.decode(Int.self) { count = value }
        return count
    }
}
