import Benchmarks
import Foundation
import Logging
import PostgresNIO
import PostgresStorage

#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL cluster for the tests: `initdb` in a temporary directory owned by the `postgres` user,
/// the server on 127.0.0.1 at a free port (and a unix socket in that directory), passwords (SCRAM) required over
/// TCP. One cluster serves the whole test process (``shared()``); each test takes a database and a role of its
/// own from it (``withDatabase(_:)``).
///
/// The server runs in the foreground under a shell that watches a pipe from this process: when the test process
/// ends, however it ends, the pipe closes and the shell stops the server (`pg_ctl stop -m immediate`, which also
/// frees its shared memory) and removes the directory.
final class TestPostgres: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    let directory: String
    private let wrapper: Process
    private let input: Pipe

    private init(port: Int, directory: String, wrapper: Process, input: Pipe) {
        self.port = port
        self.directory = directory
        self.wrapper = wrapper
        self.input = input
    }

    /// The authority that signed the server's certificate (for 127.0.0.1), a PEM file: the server offers TLS.
    var certificateAuthority: String { directory + "/ca.pem" }
    /// An authority that signed nothing the server has, a PEM file.
    var otherAuthority: String { directory + "/other-ca.pem" }

    /// The cluster of this test process, started by the first test that asks (initdb takes seconds).
    static func shared() async throws -> TestPostgres {
        try await sharedStart.value
    }

    private static let sharedStart = Task { try await start() }

    static let logger = Logger(label: "test.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    // MARK: - Databases

    /// Runs `body` with a new, empty database owned by a new role that logs in with a password over TCP; both are
    /// dropped afterwards.
    func withDatabase<T: Sendable>(_ body: (PostgresSettings) async throws -> T) async throws -> T {
        let settings = try await createDatabase()
        let result: T
        do {
            result = try await body(settings)
        } catch {
            try? await drop(settings)
            throw error
        }
        try await drop(settings)
        return result
    }

    /// A new, empty database owned by a new role that logs in with a password over TCP; ``drop(_:)`` removes both.
    func createDatabase() async throws -> PostgresSettings {
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        // In the clear, as before the server offered TLS: the TLS tests ask for it themselves.
        let settings = PostgresSettings(
            host: "127.0.0.1", port: port, username: "r_\(suffix)", password: "pw-\(UUID().uuidString)", database: "t_\(suffix)",
            tls: .disable)
        try await admin([
            "CREATE ROLE \(settings.username) LOGIN PASSWORD '\(settings.password)'",
            "CREATE DATABASE \(settings.database) OWNER \(settings.username)",
        ])
        return settings
    }

    /// Runs `body` with a PostgresClient for `settings` running beside it, as a gateway's ServiceGroup runs it.
    static func withClient<T: Sendable>(_ settings: PostgresSettings, _ body: (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: try settings.clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            do {
                let result = try await body(client)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    func drop(_ settings: PostgresSettings) async throws {
        try await admin(["DROP DATABASE \(settings.database) WITH (FORCE)", "DROP ROLE \(settings.username)"])
    }

    /// Runs `statements` as the superuser, over the unix socket (trusted).
    func admin(_ statements: [String]) async throws {
        let connection = try await Self.connectAdmin(directory: directory, port: port)
        do {
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Self.logger)
            }
        } catch {
            try? await connection.close()
            throw Failure(description: "\(statements): \(String(reflecting: error))")
        }
        try await connection.close()
    }

    private static func connectAdmin(directory: String, port: Int) async throws -> PostgresConnection {
        let configuration = PostgresConnection.Configuration(
            unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: "postgres", password: nil, database: "postgres")
        return try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
    }

    // MARK: - Start

    private static func start() async throws -> TestPostgres {
        // The free port is found before the server binds it; should another test take it meanwhile, start again.
        for attempt in 1... {
            do {
                return try await startOnce()
            } catch let failure as Failure where failure.description.contains("did not start") && attempt < 3 {
                continue
            }
        }
        fatalError("unreachable")
    }

    /// Debian's server programs live under /usr/lib/postgresql/<major>/bin; the newest installed one is taken.
    static func binaries() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let newest = versions.last(where: { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/initdb") }) else {
            throw Failure(description: "PostgreSQL is not installed (no \(root)/<version>/bin/initdb): run scripts/install-deps.sh --test")
        }
        return "\(root)/\(newest)/bin"
    }

    private static func startOnce() async throws -> TestPostgres {
        let bin = try binaries()
        // Short: the unix socket lives under it, and its path is limited to 108 bytes.
        let directory = "/tmp/sb-pg-" + String(UUID().uuidString.prefix(8)).lowercased()
        let data = directory + "/data"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // The server refuses to run as root: as root, everything runs as the postgres user, which owns the directory.
        var asPostgres: [String] = []
        if getuid() == 0 {
            guard let user = getpwnam("postgres") else {
                try? FileManager.default.removeItem(atPath: directory)
                throw Failure(description: "tests run as root but there is no postgres user: run scripts/install-deps.sh --test")
            }
            _ = chown(directory, user.pointee.pw_uid, user.pointee.pw_gid)
            asPostgres = ["/usr/sbin/runuser", "-u", "postgres", "--"]
        }

        let initdb = asPostgres + [
            "\(bin)/initdb", "-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
            "--locale=C", "--no-sync",
        ]
        let (status, output) = try await run(initdb, output: directory + "/initdb.log")
        guard status == 0 else {
            try? FileManager.default.removeItem(atPath: directory)
            throw Failure(description: "initdb failed (\(status)): \(output.suffix(2000))")
        }

        try await makeCertificates(directory: directory, owner: asPostgres.isEmpty ? nil : getpwnam("postgres")?.pointee)

        let port = try LoopbackPort.free()
        let server = asPostgres + [
            "\(bin)/postgres", "-D", data, "-p", String(port), "-k", directory, "-c", "listen_addresses=127.0.0.1",
            // Durability is not what these tests look at; speed is.
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "shared_buffers=16MB",
            // Every test takes a database with a pool of its own, and the whole suite runs at once.
            "-c", "max_connections=400",
            "-c", "max_pred_locks_per_transaction=256", "-c", "max_pred_locks_per_relation=2048", "-c", "max_pred_locks_per_page=32",
            "-c", "ssl=on", "-c", "ssl_cert_file=\(directory)/server.pem", "-c", "ssl_key_file=\(directory)/server.key",
        ]
        let stop = asPostgres + ["\(bin)/pg_ctl", "-D", data, "stop", "-m", "immediate", "-w"]
        let (wrapper, input) = try launchWatched(server, stop: stop, directory: directory, output: directory + "/server.log")

        // Ready when the superuser can log in over the socket.
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            if let connection = try? await connectAdmin(directory: directory, port: port) {
                try? await connection.close()
                break
            }
            if !wrapper.isRunning || ContinuousClock.now > deadline {
                let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
                try? input.fileHandleForWriting.close()
                throw Failure(description: "PostgreSQL did not start on 127.0.0.1:\(port): \(log.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return TestPostgres(port: port, directory: directory, wrapper: wrapper, input: input)
    }

    /// Starts `command` under a shell in a session of its own that, when our pipe closes, runs `stop`, removes
    /// `directory` and ends its whole process group.
    private static func launchWatched(_ command: [String], stop: [String], directory: String, output: String) throws -> (Process, Pipe) {
        guard let setsid = ["/usr/bin/setsid", "/bin/setsid"].first(where: FileManager.default.isExecutableFile) else {
            throw Failure(description: "setsid not found")
        }
        let stopLine = stop.map(shellQuoted).joined(separator: " ")
        let input = Pipe()
        let wrapper = Process()
        wrapper.executableURL = URL(fileURLWithPath: setsid)
        wrapper.arguments = [
            "/bin/sh", "-c",
            """
            exec 3<&0; "$@" </dev/null & child=$!
            (cat <&3 >/dev/null; \(stopLine) >/dev/null 2>&1; rm -rf \(shellQuoted(directory)); kill -KILL 0) & exec 3<&-
            wait $child
            """,
            "watched-postgres",
        ] + command
        wrapper.standardInput = input
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: output) else { throw Failure(description: "cannot write \(output)") }
        wrapper.standardOutput = handle
        wrapper.standardError = handle
        try wrapper.run()
        try? handle.close()
        return (wrapper, input)
    }

    private static func shellQuoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Runs `command` to its end without holding a thread while it runs; its output goes to `output` and is returned.
    /// A certificate authority of the test's own (`ca.pem`) and a server certificate it signed for 127.0.0.1 and
    /// localhost (`server.pem`, `server.key`), made with the openssl command; the key belongs to `owner`, since
    /// the server refuses a key others can read.
    private static func makeCertificates(directory: String, owner: passwd?) async throws {
        let openssl = ["/usr/bin/openssl"]
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: directory + "/server.ext", atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(directory)/ca.key", "-out", "\(directory)/ca.pem",
             "-days", "3", "-subj", "/CN=switchboard test authority"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(directory)/server.key", "-out", "\(directory)/server.csr",
             "-subj", "/CN=127.0.0.1"],
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(directory)/other-ca.key", "-out", "\(directory)/other-ca.pem",
             "-days", "3", "-subj", "/CN=another authority"],
            ["x509", "-req", "-in", "\(directory)/server.csr", "-CA", "\(directory)/ca.pem", "-CAkey", "\(directory)/ca.key",
             "-CAcreateserial", "-out", "\(directory)/server.pem", "-days", "3", "-extfile", "\(directory)/server.ext"],
        ]
        for step in steps {
            let (status, output) = try await run(openssl + step, output: directory + "/openssl.log")
            guard status == 0 else { throw Failure(description: "openssl failed (\(status)): \(output.suffix(2000))") }
        }
        _ = chmod(directory + "/server.key", 0o600)
        if let owner {
            for file in ["server.key", "server.pem", "ca.pem", "other-ca.pem"] { _ = chown(directory + "/" + file, owner.pw_uid, owner.pw_gid) }
        }
    }

    private static func run(_ command: [String], output: String) async throws -> (Int32, String) {
        try await ChildProcess.run(command, output: output)
    }
}
