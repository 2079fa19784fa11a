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

    public init(host: String, port: Int = 5432, username: String, password: String, database: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    /// The configuration of a ``PostgresClient`` (a pool, run as a Service) for these settings.
    public var clientConfiguration: PostgresClient.Configuration {
        PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: .disable)
    }

    /// Logs in once on a connection of its own and runs `SELECT 1`.
    ///
    /// A ``PostgresClient`` that cannot log in retries in the background and, after about a minute, fails its
    /// callers with a circuit-breaker error that no longer says why; a gateway calls this before it starts one,
    /// so a wrong password or a missing database stops it at once and says so.
    /// - Throws: ``PostgresStorageError`` (``PostgresStorageError/Code/authenticationFailed``,
    ///   ``PostgresStorageError/Code/databaseMissing``, ``PostgresStorageError/Code/unreachable``).
    public func verify(logger: Logger) async throws {
        let configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: .disable)
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
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
