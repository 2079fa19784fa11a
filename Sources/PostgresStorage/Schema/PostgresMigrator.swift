import Logging
import PostgresNIO

/// Brings a PostgreSQL database to the schema this build expects, however many gateways start on it at once.
///
/// Each migration runs in a transaction of its own that first takes a transaction-level advisory lock
/// (`pg_advisory_xact_lock`), then reads `schema_migrations`: a gateway that waited for the lock finds the
/// migration recorded by the one that held it and skips it, so every migration is applied exactly once. The lock
/// ends with the transaction, also when a gateway dies in the middle (the server rolls its transaction back).
/// Never edit a shipped migration; add a new one.
public struct PostgresMigrator: Sendable {
    /// The advisory lock every Switchboard migrator takes. Advisory locks are scoped to one database, so gateways
    /// on different databases of one server do not wait for each other. (ASCII "Switchbd".)
    public static let lockKey: Int64 = 0x5377_6974_6368_6264

    public let migrations: [PostgresMigration]

    /// A migrator for the schema of this build (``PostgresSchema/migrations``).
    public init() {
        self.init(migrations: PostgresSchema.migrations)
    }

    public init(migrations: [PostgresMigration]) {
        self.migrations = migrations
    }

    /// Applies every migration the database has not recorded yet, in order.
    ///
    /// - Parameters:
    ///   - client: a running ``PostgresClient`` (its `run()` in a task group or ServiceGroup).
    ///   - settings: what `client` connects with; only named in errors, without the password.
    /// - Returns: the versions this call applied (empty when another gateway had applied them all).
    /// - Throws: ``PostgresStorageError``; a failed migration is rolled back and those after it are not tried.
    @discardableResult
    public func migrate(client: PostgresClient, settings: PostgresSettings, logger: Logger) async throws -> [String] {
        try await client.withConnection { connection in try await migrate(connection: connection, settings: settings, logger: logger) }
    }

    /// Applies every migration the database has not recorded yet, on a connection of its own that is closed
    /// afterwards: what a gateway does before it starts its pool, and what `switchboard migrate` does.
    /// - Throws: ``PostgresStorageError``, naming a login problem as such.
    @discardableResult
    public func migrate(settings: PostgresSettings, logger: Logger) async throws -> [String] {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: try settings.connectionConfiguration, id: 0, logger: logger)
        } catch {
            throw PostgresStorageError(error, while: "connecting to", settings: settings)
        }
        do {
            let applied = try await migrate(connection: connection, settings: settings, logger: logger)
            try? await connection.close()
            return applied
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private func migrate(connection: PostgresConnection, settings: PostgresSettings, logger: Logger) async throws -> [String] {
        var applied: [String] = []
        for migration in migrations {
            do {
                if try await apply(migration, connection: connection, logger: logger) {
                    logger.info("applied schema migration", metadata: ["version": "\(migration.version)"])
                    applied.append(migration.version)
                }
            } catch {
                throw PostgresStorageError(
                    error, while: "applying migration \(migration.version) to", settings: settings, otherwise: .migrationFailed)
            }
        }
        return applied
    }

    /// The versions the database has recorded, oldest first.
    public func appliedVersions(client: PostgresClient, settings: PostgresSettings, logger: Logger) async throws -> [String] {
        do {
            let exists = try await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
            for try await present in exists.decode(Bool.self) where !present { return [] }
            var versions: [String] = []
            let rows = try await client.query("SELECT version FROM schema_migrations ORDER BY applied_at, version", logger: logger)
            for try await version in rows.decode(String.self) { versions.append(version) }
            return versions
        } catch {
            throw PostgresStorageError(error, while: "reading schema_migrations of", settings: settings)
        }
    }

    /// Runs `migration` unless it is recorded; true when this call applied it.
    private func apply(_ migration: PostgresMigration, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            // Under the lock: two gateways creating it at once would otherwise collide on the catalog.
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
                )
                """, logger: logger)
            let recorded = try await connection.query(
                "SELECT count(*) FROM schema_migrations WHERE version = \(migration.version)", logger: logger)
            var count: Int64 = 0
            for try await value in recorded.decode(Int64.self) { count = value }
            guard count == 0 else { return false }
            for statement in migration.statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query("INSERT INTO schema_migrations (version) VALUES (\(migration.version))", logger: logger)
            return true
        }
    }
}
