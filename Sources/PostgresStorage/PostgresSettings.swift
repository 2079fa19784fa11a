import Foundation
import Logging
import NIOSSL
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
    /// How the connections are protected.
    public var tls: TLS

    /// How the connections to the server are protected: the URL's `sslmode` and `sslrootcert`, read as libpq
    /// reads them.
    public enum TLS: Sendable, Equatable {
        /// In the clear (`disable`).
        case disable
        /// TLS when the server offers it, in the clear otherwise, the certificate not checked (`prefer`, libpq's
        /// default; not this one's, which stays in the clear unless asked).
        case prefer
        /// TLS or no connection, the certificate not checked (`require`): encrypted, but open to an impostor.
        case require
        /// TLS or no connection, the server's certificate checked against `rootCertificate` (a PEM file) or, when
        /// nil, the system's trusted roots; with `hostName`, also that it names the host connected to
        /// (`verify-full`), else only that a trusted authority signed it (`verify-ca`, or `require` with a root
        /// certificate).
        case verify(rootCertificate: String?, hostName: Bool)
    }

    public init(
        host: String, port: Int = 5432, username: String, password: String, database: String, poolSize: Int = 16, tls: TLS = .disable
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.tls = tls
    }

    /// Reads `postgres://user:password@host:port/database?sslmode=…&sslrootcert=…`; the password may be
    /// percent-encoded. `sslmode` is one of libpq's (`disable`, the default, `prefer`, `require`, `verify-ca`,
    /// `verify-full`); `sslrootcert` is a PEM file of the authorities to trust, or `system` for the system's.
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
        // In the clear unless asked, as before TLS was built: a deployment that did not ask keeps its behaviour.
        var mode = "disable", rootCertificate: String?
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode": mode = item.value ?? ""
            case "sslrootcert": rootCertificate = item.value
            default:
                throw PostgresStorageError(
                    .invalidURL, "the database URL's parameter '\(item.name)' is not supported (only sslmode and sslrootcert are)")
            }
        }
        if let path = rootCertificate, path != "system", !FileManager.default.isReadableFile(atPath: path) {
            throw PostgresStorageError(.invalidURL, "the database URL's sslrootcert file \(path) cannot be read")
        }
        let root = rootCertificate == "system" ? nil : rootCertificate
        let tls: TLS
        switch mode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer
        // As libpq: `require` with a root certificate checks the chain.
        case "require": tls = rootCertificate == nil ? .require : .verify(rootCertificate: root, hostName: false)
        case "verify-ca": tls = .verify(rootCertificate: root, hostName: false)
        case "verify-full": tls = .verify(rootCertificate: root, hostName: true)
        default:
            throw PostgresStorageError(
                .invalidURL, "the database URL's sslmode '\(mode)' is not one of disable, prefer, require, verify-ca, verify-full")
        }
        self.init(
            host: host, port: url.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: url.password?.removingPercentEncoding ?? "", database: database.removingPercentEncoding ?? database,
            poolSize: poolSize, tls: tls)
    }

    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    /// The configuration of a ``PostgresClient`` (a pool, run as a Service) for these settings.
    public var clientConfiguration: PostgresClient.Configuration {
        get throws {
            let tls: PostgresClient.Configuration.TLS =
                switch try tlsConfiguration() {
                case nil: .disable
                case let (configuration, required)?: required ? .require(configuration) : .prefer(configuration)
                }
            var configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: tls)
            configuration.options.maximumConnections = poolSize
            return configuration
        }
    }

    /// The configuration of one connection outside the pool (migrations, the check at start).
    public var connectionConfiguration: PostgresConnection.Configuration {
        get throws {
            var tls = PostgresConnection.Configuration.TLS.disable
            if let (configuration, required) = try tlsConfiguration() {
                let context = try NIOSSLContext(configuration: configuration)
                tls = required ? .require(context) : .prefer(context)
            }
            return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
    }

    /// NIOSSL's settings for ``tls``, and whether TLS is required; nil when it is off.
    private func tlsConfiguration() throws -> (TLSConfiguration, required: Bool)? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        // How long closing a connection waits for the server's TLS close before closing it anyway (5 s by
        // default): a gateway stopping closes every pooled connection, within its shutdown deadline.
        configuration.shutdownTimeout = .seconds(1)
        switch tls {
        case .disable:
            return nil
        case .prefer, .require:
            configuration.certificateVerification = .none
            return (configuration, tls == .require)
        case let .verify(rootCertificate, hostName):
            configuration.certificateVerification = hostName ? .fullVerification : .noHostnameVerification
            if let rootCertificate {
                do {
                    configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(rootCertificate))
                } catch {
                    throw PostgresStorageError(.invalidURL, "the database URL's sslrootcert file \(rootCertificate) holds no PEM certificate")
                }
            }
            return (configuration, true)
        }
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
            let connection = try await PostgresConnection.connect(configuration: try connectionConfiguration, id: 0, logger: logger)
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
