import NIOSSL
import PostgresNIO
import SwitchboardCore

/// Why the PostgreSQL backend could not do what was asked. Safe to log: it names the server, the role and the
/// database, and the server's own words (SQLSTATE and message), never the password or a query's bound values.
public struct PostgresStorageError: LoggableError, Sendable {
    public enum Code: String, Sendable {
        /// The server refused the role's password (SQLSTATE 28P01) or its login (28000).
        case authenticationFailed = "postgres.authentication_failed"
        /// The database named in the settings does not exist (3D000).
        case databaseMissing = "postgres.database_missing"
        /// No connection came about: nothing listens there, or the network or TLS failed.
        case unreachable = "postgres.unreachable"
        /// A schema migration failed and was rolled back.
        case migrationFailed = "postgres.migration_failed"
        /// The database URL in the configuration cannot be used.
        case invalidURL = "postgres.invalid_url"
        /// Anything else the server or the driver reported.
        case failed = "postgres.failed"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// Classifies what PostgresNIO threw while doing `action` (a phrase: "connecting to", "applying migration
    /// v3-sms to"); what is neither a login nor a connection problem gets `otherwise`. PSQLError's own description
    /// hides everything, and its debug description may carry bound values, so the message is built from the
    /// server's fields alone.
    public init(_ error: any Error, while action: String, settings: PostgresSettings, otherwise: Code = .failed) {
        self.init(
            error, while: action,
            target: "PostgreSQL at \(settings.host):\(settings.port) (role \"\(settings.username)\", database \"\(settings.database)\")",
            otherwise: otherwise)
    }

    /// Classifies what PostgresNIO threw while the store ran a transaction, naming the server's SQLSTATE and
    /// message (never a bound value).
    init(_ error: any Error, while action: String) {
        self.init(error, while: action, target: "the database", otherwise: .failed)
    }

    private init(_ error: any Error, while action: String, target: String, otherwise: Code) {
        if let own = error as? PostgresStorageError {
            self = own
            return
        }
        if let transaction = error as? PostgresTransactionError {
            let inner = transaction.closureError ?? transaction.commitError ?? transaction.beginError ?? transaction.rollbackError
            if let inner {
                self.init(inner, while: action, target: target, otherwise: otherwise)
                return
            }
        }
        guard let psql = error as? PSQLError else {
            self.init(.unreachable, "\(action) \(target): \(String(describing: error))")
            return
        }
        switch psql.code {
        case .server:
            let state = psql.serverInfo?[.sqlState] ?? "?????"
            let said = psql.serverInfo?[.message] ?? "no message"
            let code: Code =
                switch state {
                case "28P01", "28000": .authenticationFailed
                case "3D000": .databaseMissing
                default: otherwise
                }
            self.init(code, "\(action) \(target): the server said \(state): \(said)")
        case .sslUnsupported:
            self.init(.unreachable, "\(action) \(target): the server does not offer TLS, which the URL's sslmode requires")
        case .connectionError, .failedToAddSSLHandler, .serverClosedConnection, .uncleanShutdown:
            let cause = psql.underlying.map { ": " + String(describing: $0) } ?? ""
            if psql.underlying is NIOSSLError || psql.underlying is NIOSSLExtraError {
                self.init(
                    .unreachable,
                    "\(action) \(target): TLS failed (a server certificate no trusted authority signed, or one for another host, or a broken handshake)\(cause)")
            } else {
                self.init(.unreachable, "\(action) \(target): \(psql.code)\(cause)")
            }
        default:
            self.init(otherwise, "\(action) \(target): \(psql.code)")
        }
    }
}
