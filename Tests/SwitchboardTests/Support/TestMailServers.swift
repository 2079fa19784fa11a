import Benchmarks
import Curl
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real IMAP server (Dovecot, private configuration) and a real SMTP server (aiosmtpd, from
/// `scripts/test-smtp-server.py`) on 127.0.0.1, in a temporary directory of their own. Mail sent to the SMTP
/// server lands, byte for byte, in the recipient's Dovecot INBOX (user = the address's local part).
/// Any user name logs in with ``password``; users come into being at their first login.
///
/// Both processes die with ``stop()`` (also called on deinit) and, should the test process die first, by
/// themselves: each watches a pipe from this process and ends when it closes.
final class TestMailServers: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Where scripted SMTP answers apply.
    enum SMTPStage: String, Sendable {
        case rcpt = "RCPT"
        case data = "DATA"
    }

    static let password = "switchboard-test-password"

    let imapPort: Int
    let smtpPort: Int
    let directory: String

    private let dovecotWrapper: Process
    private let smtpServer: Process
    private let dovecotInput: Pipe
    private let smtpInput: Pipe
    private let stopped = Mutex(false)

    private init(
        imapPort: Int, smtpPort: Int, directory: String, dovecotWrapper: Process, smtpServer: Process, dovecotInput: Pipe,
        smtpInput: Pipe
    ) {
        self.imapPort = imapPort
        self.smtpPort = smtpPort
        self.directory = directory
        self.dovecotWrapper = dovecotWrapper
        self.smtpServer = smtpServer
        self.dovecotInput = dovecotInput
        self.smtpInput = smtpInput
    }

    deinit { stop() }

    // MARK: - Start

    /// The repository root, found from this file's real location (through a symbolic link too).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var python: String {
        if let configured = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_PYTHON"], !configured.isEmpty { return configured }
        return repositoryRoot.appendingPathComponent(".build/test-venv/bin/python").path
    }

    /// - Parameters:
    ///   - introspectionURL: also accept OAuth2 access tokens on both servers, checked at this RFC 7662
    ///     endpoint (``FakeOAuthProvider``); the password still works.
    ///   - oauthMechanisms: the SASL mechanisms Dovecot offers for tokens (libcurl picks OAUTHBEARER whenever
    ///     it is offered, so a test of XOAUTH2 offers only that).
    static func start(
        introspectionURL: String? = nil, oauthMechanisms: [MailSASLMechanism] = MailSASLMechanism.allCases
    ) async throws -> TestMailServers {
        // The free port is found before Dovecot binds it; should another test take it meanwhile, start again.
        for attempt in 1... {
            do {
                return try await startOnce(introspectionURL: introspectionURL, oauthMechanisms: oauthMechanisms)
            } catch let failure as Failure where failure.description.contains("dovecot did not start") && attempt < 3 {
                continue
            }
        }
        fatalError("unreachable")
    }

    private static func startOnce(introspectionURL: String?, oauthMechanisms: [MailSASLMechanism]) async throws -> TestMailServers {
        guard let dovecot = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot", "/opt/homebrew/sbin/dovecot"].first(where: FileManager.default.isExecutableFile)
        else { throw Failure(description: "dovecot not installed: run scripts/install-deps.sh --test") }
        let python = Self.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "no Python at \(python) for the test SMTP server (aiosmtpd): run scripts/install-deps.sh --test")
        }
        let script = repositoryRoot.appendingPathComponent("scripts/test-smtp-server.py").path
        guard FileManager.default.fileExists(atPath: script) else { throw Failure(description: "\(script) is missing") }

        // Short: Dovecot's unix sockets live under it, and their paths are limited to 108 bytes.
        let directory = "/tmp/sb-mail-" + String(UUID().uuidString.prefix(8)).lowercased()
        let mail = directory + "/mail"
        try FileManager.default.createDirectory(atPath: mail, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory)

        let imapPort = try LoopbackPort.free()
        let mailUser = try DovecotConfiguration.MailUser.current()
        _ = chown(mail, mailUser.uid, mailUser.gid)
        var configuration = DovecotConfiguration.text(directory: directory, port: imapPort, user: mailUser, password: password, syncMail: false)
        if let introspectionURL {
            configuration = try oauthConfiguration(
                configuration, directory: directory, introspectionURL: introspectionURL, mechanisms: oauthMechanisms)
        }
        try configuration.write(toFile: directory + "/dovecot.conf", atomically: true, encoding: .utf8)

        // Dovecot in the foreground, watched: it and all its processes end when our pipe closes.
        let (wrapper, dovecotInput) = try WatchedProcess.launch(
            [dovecot, "-F", "-c", directory + "/dovecot.conf"], output: directory + "/dovecot.out")

        let smtpInput = Pipe()
        let smtp = Process()
        smtp.executableURL = URL(fileURLWithPath: python)
        smtp.arguments = [script, "--directory", directory, "--imap-port", String(imapPort), "--password", password]
            + (introspectionURL.map { ["--introspection-url", $0] } ?? [])
        smtp.standardInput = smtpInput
        let smtpOutput = try output(directory + "/smtp.log")
        smtp.standardOutput = smtpOutput
        smtp.standardError = smtpOutput

        do {
            try smtp.run()
        } catch {
            terminate(wrapper: wrapper, smtp: smtp, inputs: [dovecotInput, smtpInput], directory: directory)
            throw Failure(description: "cannot run \(python): \(error)")
        }
        func fail(_ what: String, logs: [String]) -> Failure {
            let text = logs.compactMap { try? String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
            terminate(wrapper: wrapper, smtp: smtp, inputs: [dovecotInput, smtpInput], directory: directory)
            return Failure(description: "\(what): \(text.suffix(2000))")
        }
        let deadline = ContinuousClock.now + .seconds(15)

        // Ready when the SMTP server wrote its port and Dovecot greets.
        var smtpPort = 0
        while smtpPort == 0 {
            if let text = try? String(contentsOfFile: directory + "/smtp.port", encoding: .utf8), let port = Int(text) {
                smtpPort = port
            } else if !smtp.isRunning || ContinuousClock.now > deadline {
                throw fail("the test SMTP server did not start (\(python))", logs: ["smtp.log"])
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        while !greets(port: imapPort) {
            if !wrapper.isRunning || ContinuousClock.now > deadline {
                throw fail("dovecot did not start on 127.0.0.1:\(imapPort)", logs: ["dovecot.out", "dovecot.log"])
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return TestMailServers(
            imapPort: imapPort, smtpPort: smtpPort, directory: directory, dovecotWrapper: wrapper, smtpServer: smtp, dovecotInput: dovecotInput,
            smtpInput: smtpInput)
    }

    /// Dovecot 2.3's OAuth2 passdb after the static one: a login by one of `mechanisms` whose token is not the
    /// static password goes on to this one, introspected by POST at `introspectionURL`; the
    /// answer's `username` must be the login name and `active` true.
    private static func oauthConfiguration(
        _ text: String, directory: String, introspectionURL: String, mechanisms: [MailSASLMechanism]
    ) throws -> String {
        let names = mechanisms.map { $0.rawValue.lowercased() }.joined(separator: " ")
        let oauthFile = directory + "/dovecot-oauth2.conf.ext"
        try """
            introspection_mode = post
            introspection_url = \(introspectionURL)
            force_introspection = yes
            username_attribute = username
            active_attribute = active
            active_value = true

            """.write(toFile: oauthFile, atomically: true, encoding: .utf8)
        guard text.contains("auth_mechanisms = plain login\n"), let userdb = text.range(of: "userdb {") else {
            throw Failure(description: "the Dovecot configuration changed: cannot add the oauth2 passdb")
        }
        var text = text
        text.replaceSubrange(userdb, with: """
            passdb {
              driver = oauth2
              mechanisms = \(names)
              args = \(oauthFile)
            }
            userdb {
            """)
        return text.replacingOccurrences(of: "auth_mechanisms = plain login\n", with: "auth_mechanisms = plain login \(names)\n")
    }

    private static func output(_ path: String) throws -> FileHandle {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw Failure(description: "cannot write \(path)") }
        return handle
    }

    /// Whether an IMAP server on the port answers with its `* OK` greeting.
    static func greets(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { Glibc.close(descriptor) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return false }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return false }
        _ = send(descriptor, "z LOGOUT\r\n", 10, Int32(MSG_NOSIGNAL))
        return String(decoding: buffer[0..<count], as: UTF8.self).hasPrefix("* OK")
    }

    // MARK: - Use

    /// `imap://127.0.0.1:port` logged in as `user` with ``password``.
    func imapEndpoint(user: String) -> MailServerEndpoint {
        MailServerEndpoint(url: "imap://127.0.0.1:\(imapPort)", username: user, password: Self.password, connectTimeout: .seconds(5), timeout: .seconds(20))
    }

    /// `imap://127.0.0.1:port` logging in as `user` with an OAuth2 access token by `mechanism`.
    func imapEndpoint(user: String, mechanism: MailSASLMechanism) -> MailServerEndpoint {
        var endpoint = MailServerEndpoint(url: "imap://127.0.0.1:\(imapPort)", username: user, connectTimeout: .seconds(5), timeout: .seconds(20))
        endpoint.saslMechanism = mechanism
        return endpoint
    }

    /// `smtp://127.0.0.1:port`, no login.
    func smtpEndpoint() -> MailServerEndpoint {
        MailServerEndpoint(url: "smtp://127.0.0.1:\(smtpPort)", connectTimeout: .seconds(5), timeout: .seconds(20))
    }

    /// The SMTP server's next answers at `stage` (DATA unless told), in order: 4xx is
    /// `451 4.3.0 try again later` (with the given code), 5xx `550 5.1.1 mailbox unavailable`; after them the
    /// stage succeeds again.
    func scriptSMTPReplies(_ codes: [Int], at stage: SMTPStage = .data) throws {
        struct Entry: Encodable {
            var stage: String
            var code: Int
        }
        let data = try JSONEncoder().encode(codes.map { Entry(stage: stage.rawValue, code: $0) })
        try data.write(to: URL(fileURLWithPath: directory + "/smtp-script.json"), options: .atomic)
    }

    /// The raw bytes of every message in `user`'s `mailbox`, in UID order, read over IMAP by Python's imaplib
    /// (an implementation independent of ours), without changing flags.
    func mailbox(_ user: String, mailbox: String = "INBOX") async throws -> [Data] {
        let dump = directory + "/dump-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dump) }
        let script = """
            import imaplib, os, sys
            port, user, password, mailbox, dump = sys.argv[1:6]
            imap = imaplib.IMAP4("127.0.0.1", int(port))
            imap.login(user, password)
            status, detail = imap.select('"%s"' % mailbox, readonly=True)
            if status != "OK":
                sys.exit("cannot examine %s: %r" % (mailbox, detail))
            status, found = imap.uid("SEARCH", None, "ALL")
            for index, uid in enumerate(found[0].split()):
                status, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
                literal = next(part[1] for part in parts if isinstance(part, tuple))
                with open(os.path.join(dump, "%06d" % index), "wb") as file:
                    file.write(literal)
            imap.logout()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-c", script, String(imapPort), user, Self.password, mailbox, dump]
        let errors = Pipe()
        process.standardError = errors
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard status == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw Failure(description: "reading \(user)'s \(mailbox) failed: \(text.suffix(1000))")
        }
        return try FileManager.default.contentsOfDirectory(atPath: dump).sorted()
            .map { try Data(contentsOf: URL(fileURLWithPath: dump + "/" + $0)) }
    }

    /// How each login to Dovecot so far was made (`XOAUTH2`, `OAUTHBEARER`, `PLAIN`), from its log.
    func loginMethods() -> [String] {
        let log = (try? String(contentsOfFile: directory + "/dovecot.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { $0.contains("imap-login: Info: Login:") }.compactMap { line in
            line.range(of: "method=").map { String(line[$0.upperBound...].prefix { $0 != "," }) }
        }
    }

    /// Disconnects every IMAP session of `user` (`doveadm kick`), as an idle timeout or a restart would.
    func kick(_ user: String) throws {
        guard let doveadm = ["/usr/bin/doveadm", "/usr/local/bin/doveadm", "/opt/homebrew/bin/doveadm"].first(where: FileManager.default.isExecutableFile)
        else { throw Failure(description: "doveadm not installed: run scripts/install-deps.sh --test") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: doveadm)
        process.arguments = ["-c", directory + "/dovecot.conf", "kick", user]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(description: "doveadm kick \(user) failed: \(text)") }
    }

    // MARK: - Stop

    /// Ends both servers and removes the directory. Safe to call again.
    func stop() {
        let alreadyStopped = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        Self.terminate(wrapper: dovecotWrapper, smtp: smtpServer, inputs: [dovecotInput, smtpInput], directory: directory)
    }

    private static func terminate(wrapper: Process, smtp: Process, inputs: [Pipe], directory: String) {
        if smtp.isRunning { kill(smtp.processIdentifier, SIGTERM) }
        // Closing the pipes ends the SMTP server, and the wrapper with Dovecot.
        for input in inputs { try? input.fileHandleForWriting.close() }
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline && (wrapper.isRunning || smtp.isRunning) { usleep(5_000) }

        if smtp.isRunning { kill(smtp.processIdentifier, SIGKILL) }
        WatchedProcess.killGroup(wrapper)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
