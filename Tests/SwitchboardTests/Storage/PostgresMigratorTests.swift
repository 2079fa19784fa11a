import Foundation
import GRDB
import Logging
import PostgresNIO
import PostgresStorage
import SQLiteStorage
import TestSupport
import Testing

@Suite("PostgreSQL migrator")
struct PostgresMigratorTests {
    /// Tables, columns and indexes, by name; unique and partial indexes marked.
    struct Shape: Equatable, CustomStringConvertible {
        var columns: Set<String> = []
        var indexes: Set<String> = []
        var versions: [String] = []

        var description: String { "columns: \(columns.sorted())\nindexes: \(indexes.sorted())\nversions: \(versions)" }
    }

    /// PostgreSQL's own migration: what intake looks up, by hash index instead of three of SQLite's b-trees,
    /// because a serializable read locks the b-tree page it read (see ``PostgresSchema``).
    static let hashLookups = (
        version: "v20-hash-lookups",
        added: ["clock_events_by_conversation", "conversations_by_id", "conversations_customer_lookup", "messages_external_id_lookup partial"],
        replaced: ["clock_events_conversation", "conversations_closed partial", "conversations_joinable partial"])

    @Test("a migrated PostgreSQL database has every table, column, index and migration a freshly opened SQLite store has, but for its hash lookups")
    func sameShapeAsSQLite() async throws {
        let sqlite = try sqliteShape()
        let postgres = try await TestPostgres.shared().withDatabase { settings in
            try await TestPostgres.withClient(settings) { client in
                let applied = try await PostgresMigrator().migrate(client: client, settings: settings, logger: TestPostgres.logger)
                #expect(applied == PostgresSchema.migrations.map(\.version))
                return try await postgresShape(client, settings: settings)
            }
        }
        // PostgreSQL's own migration comes in sequence, after v19, between the shared ones.
        var expected = sqlite.versions
        expected.insert(Self.hashLookups.version, at: (expected.firstIndex(of: "v19-nodes") ?? expected.count - 1) + 1)
        #expect(postgres.versions == expected)
        #expect(sqlite.versions.last == "v21-console-sessions")
        #expect(postgres.columns.subtracting(sqlite.columns).sorted() == [], "only in PostgreSQL")
        #expect(sqlite.columns.subtracting(postgres.columns).sorted() == [], "only in SQLite")
        #expect(postgres.indexes.subtracting(sqlite.indexes).sorted() == Self.hashLookups.added, "only in PostgreSQL")
        #expect(sqlite.indexes.subtracting(postgres.indexes).sorted() == Self.hashLookups.replaced, "only in SQLite")
        #expect(sqlite.columns.contains("attachments.sha256"), "the SQLite side was read")
    }

    @Test("four gateways migrating one new database at once apply each migration exactly once, without an error")
    func concurrentMigratorsApplyEachMigrationOnce() async throws {
        let migrations = PostgresSchema.migrations.map(\.version)
        try await TestPostgres.shared().withDatabase { settings in
            // Each its own client, as separate gateways would have.
            let applied = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await TestPostgres.withClient(settings) { client in
                            try await PostgresMigrator().migrate(client: client, settings: settings, logger: TestPostgres.logger)
                        }
                    }
                }
                return try await group.reduce(into: [[String]]()) { $0.append($1) }
            }
            #expect(applied.flatMap { $0 }.sorted() == migrations.sorted())
            try await TestPostgres.withClient(settings) { client in
                var recorded: [String: Int64] = [:]
                let rows = try await client.query("SELECT version, count(*) FROM schema_migrations GROUP BY version")
                for try await (version, count) in rows.decode((String, Int64).self) { recorded[version] = count }
                #expect(recorded == Dictionary(uniqueKeysWithValues: migrations.map { ($0, Int64(1)) }))
                let again = try await PostgresMigrator().migrate(client: client, settings: settings, logger: TestPostgres.logger)
                #expect(again == [])
            }
        }
    }

    @Test("a wrong password is reported as such, naming the role and the database but never the password")
    func wrongPassword() async throws {
        try await TestPostgres.shared().withDatabase { settings in
            var wrong = settings
            wrong.password = "not-the-password-\(UUID().uuidString)"
            let error = await #expect(throws: PostgresStorageError.self) { try await wrong.verify(logger: TestPostgres.logger) }
            #expect(error?.code == .authenticationFailed)
            let text = error?.description ?? ""
            #expect(text.contains("28P01"))
            #expect(text.contains(settings.username) && text.contains(settings.database))
            #expect(!text.contains(wrong.password) && !text.contains(settings.password))
            #expect(!"\(wrong)".contains(wrong.password))
            // The right password gets in, so it was the password.
            try await settings.verify(logger: TestPostgres.logger)
        }
    }

    @Test("a database that does not exist is reported as missing")
    func missingDatabase() async throws {
        try await TestPostgres.shared().withDatabase { settings in
            var missing = settings
            missing.database = settings.database + "_missing"
            let error = await #expect(throws: PostgresStorageError.self) { try await missing.verify(logger: TestPostgres.logger) }
            #expect(error?.code == .databaseMissing)
            #expect(error?.description.contains(missing.database) == true)
        }
    }

    // MARK: - Helpers

    /// The shape of `switchboard.sqlite` as SQLiteMessageStore leaves it after opening a new directory.
    private func sqliteShape() throws -> Shape {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try SQLiteMessageStore(directory: directory.path)
        let queue = try DatabaseQueue(path: directory.appendingPathComponent("switchboard.sqlite").path)
        return try queue.read { db in
            var shape = Shape()
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'")
            for table in tables {
                for column in try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]) {
                    shape.columns.insert("\(table).\(column["name"] as String)")
                }
            }
            for row in try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL") {
                let sql: String = row["sql"]
                shape.indexes.insert(Self.indexKey(row["name"], unique: sql.hasPrefix("CREATE UNIQUE"), partial: sql.contains(" WHERE ")))
            }
            shape.versions = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
            return shape
        }
    }

    private func postgresShape(_ client: PostgresClient, settings: PostgresSettings) async throws -> Shape {
        var shape = Shape()
        let columns = try await client.query(
            """
            SELECT table_name::text, column_name::text FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
            """)
        for try await (table, column) in columns.decode((String, String).self) { shape.columns.insert("\(table).\(column)") }
        // Primary keys are constraints in both; SQLite names their indexes sqlite_autoindex_*, without SQL.
        let indexes = try await client.query(
            """
            SELECT c.relname::text, i.indisunique, i.indpred IS NOT NULL
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND NOT i.indisprimary
            """)
        for try await (name, unique, partial) in indexes.decode((String, Bool, Bool).self) {
            shape.indexes.insert(Self.indexKey(name, unique: unique, partial: partial))
        }
        shape.versions = try await PostgresMigrator().appliedVersions(client: client, settings: settings, logger: TestPostgres.logger)
        return shape
    }

    private static func indexKey(_ name: String, unique: Bool, partial: Bool) -> String {
        name + (unique ? " unique" : "") + (partial ? " partial" : "")
    }
}
