import Foundation
import Logging
import PostgresNIO

/// Where the shared PostgreSQL database is and who logs in to it. Its description leaves the password out, so
/// the settings can be logged as they are.
public struct PostgresSettings: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String
    public var database: String
    /// The most connections this gateway's pool opens (`storage.postgres.pool`).
    public var poolSize: Int

    public init(host: String, port: Int = 5432, username: String, password: String, database: String, poolSize: Int = 16) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = poolSize
    }

    /// Reads `postgres://user:password@host:port/database`; the password may be percent-encoded.
    ///
    /// Only `sslmode=disable` (or none) is taken for now: a setting that asks for TLS is refused rather than
    /// silently sent in the clear.
    /// - Throws: ``PostgresStorageError`` with ``PostgresStorageError/Code/invalidURL``, a message that never
    ///   repeats the URL (it holds the password).
    public init(url text: String, poolSize: Int = 16) throws {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw PostgresStorageError(.invalidURL, "the database URL must look like postgres://user:password@host:5432/database")
        }
        guard let host = url.host, !host.isEmpty else { throw PostgresStorageError(.invalidURL, "the database URL names no host") }
        guard let user = url.user, !user.isEmpty else { throw PostgresStorageError(.invalidURL, "the database URL names no user") }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw PostgresStorageError(.invalidURL, "the database URL names no database (…/NAME)") }
        for item in url.queryItems ?? [] {
            guard item.name == "sslmode", item.value == "disable" else {
                throw PostgresStorageError(
                    .invalidURL, "the database URL's parameter '\(item.name)' is not supported (only sslmode=disable: TLS to PostgreSQL is not built yet)")
            }
        }
        self.init(
            host: host, port: url.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: url.password?.removingPercentEncoding ?? "", database: database.removingPercentEncoding ?? database, poolSize: poolSize)
    }

    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    /// The configuration of a ``PostgresClient`` (a pool, run as a Service) for these settings.
    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: .disable)
        configuration.options.maximumConnections = poolSize
        return configuration
    }

    /// The configuration of one connection outside the pool (migrations, the check at start).
    public var connectionConfiguration: PostgresConnection.Configuration {
        PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: .disable)
    }

    /// Logs in once on a connection of its own and runs `SELECT 1`.
    ///
    /// A ``PostgresClient`` that cannot log in retries in the background and, after about a minute, fails its
    /// callers with a circuit-breaker error that no longer says why; checking first (as ``PostgresMigrator`` does
    /// on its own connection) stops a wrong password or a missing database at once and says so.
    /// - Throws: ``PostgresStorageError`` (``PostgresStorageError/Code/authenticationFailed``,
    ///   ``PostgresStorageError/Code/databaseMissing``, ``PostgresStorageError/Code/unreachable``).
    public func verify(logger: Logger) async throws {
        do {
            let connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
            do {
                try await connection.query("SELECT 1", logger: logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
        } catch {
            throw PostgresStorageError(error, while: "connecting to", settings: self)
        }
    }
}
