import Benchmarks
import Curl
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real, private Kannel (bearerbox and smsbox, Debian's `kannel` 1.4.5) on 127.0.0.1, in a temporary directory of its
/// own (`/tmp/sb-kannel-XXXXXXXX`: configuration, logs, message store). Its one SMSC is a generic HTTP SMSC whose
/// operator is a ``FakeSMSOperator``; its one `sms-service` hands every MO to `moURL`; its sendsms interface takes MTs
/// from the gateway (``sendsmsURL``, ``sendsmsUsername``, ``sendsmsPassword``).
///
/// Both processes die with ``stop()`` (also called on deinit) and, should the test process die first, by themselves:
/// each runs under a shell that leads a process group of its own and, when a pipe from this process closes, removes the
/// directory and kills the group.
///
/// What this Kannel does, found by experiment with 1.4.5 (see the configuration for the groups):
/// - MO: smsbox calls `moURL` + ``moPlaceholders`` with GET. `text` is the message's bytes, percent-encoded: UTF-8 for
///   the 7-bit coding (`coding=0`, or `-1` when the operator gave none; `charset=UTF-8`), UTF-16BE for UCS-2
///   (`coding=2`, `charset=UTF-16BE`) unless `moRecode`. Parts of a concatenated MO arrive as one message. `id` (`%I`)
///   is the same on every retry of the same MO.
/// - smsbox counts only HTTP 200 and 202 as success. Any other status (201 and 204 too, 3xx, 4xx, 5xx), a connection
///   refused or closed without an answer makes it try again, `http-request-retry` (3) more times `http-queue-delay`
///   (1 s) apart; after that the MO is dropped for good (Kannel has already acknowledged it to the operator).
/// - MT: sendsms answers `202 0: Accepted for delivery`, `202 3: Queued for later delivery` (SMSC re-connecting),
///   `403 Authorization failed for sendsms`, `403 Not routable. Do not try again.` (SMSC stopped), `400 …` for a bad
///   request. Chinese text needs `coding=2&charset=UTF-8` (UTF-8 text); without `coding=2` Kannel sends `?` for every
///   character outside GSM 7-bit, and `coding=2` without a charset takes the UTF-8 bytes as UCS-2 (garbage).
/// - Long MTs are split by Kannel (`concatenation = true`, at most `max-messages` = 10 parts; longer text is cut off
///   without error): 153 GSM characters or 67 UCS-2 characters per part, UDH `050003 ref count number`.
/// - Delivery reports to the sendsms `dlr-url`: type 8 (`%A` = `ACK/`) when the operator accepted the message, then
///   type 4 (buffered, not final), 1 (delivered) or 2 (failed) as the operator reports them (`%A` = the operator's
///   text); type 16 (`NACK/…`) when the operator refused it. A report after the final one is not passed on.
final class TestKannel: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The four TCP ports, chosen before start so the gateway's configuration can name Kannel's sendsms URL
    /// before Kannel knows the gateway's port.
    struct Ports: Sendable, Equatable {
        /// bearerbox's admin and status HTTP interface.
        var admin: Int
        /// Between bearerbox and smsbox.
        var smsbox: Int
        /// smsbox's sendsms HTTP interface.
        var sendsms: Int
        /// The HTTP SMSC's own port, where the operator sends MOs and delivery reports.
        var smsc: Int
    }

    static let sendsmsUsername = "switchboard"
    static let sendsmsPassword = "kannel-sendsms-test-password"
    static let adminPassword = "kannel-admin-test-password"
    /// The SMSC's id: the MO's `smsc` parameter (`%i`).
    static let smscID = "operator"

    /// What is appended to `moURL`: from (`%p`, the handset), to (`%P`, the short code), text (`%b`, the message's
    /// bytes), coding (`%c`: 0 GSM 7-bit, 1 8-bit, 2 UCS-2, -1 not given), charset (`%C`: `UTF-8`, `UTF-16BE`,
    /// `8-BIT`), smsc (`%i`), time (`%T`, Unix seconds when Kannel received it) and id (`%I`, Kannel's message id,
    /// the same on smsbox's retries: the key for de-duplication).
    static let moPlaceholders = "from=%p&to=%P&text=%b&coding=%c&charset=%C&smsc=%i&time=%T&id=%I"

    let ports: Ports
    let directory: String

    private let bearerbox: Process
    private let smsbox: Process
    private let inputs: [Pipe]
    private let stopped = Mutex(false)

    private init(ports: Ports, directory: String, bearerbox: Process, smsbox: Process, inputs: [Pipe]) {
        self.ports = ports
        self.directory = directory
        self.bearerbox = bearerbox
        self.smsbox = smsbox
        self.inputs = inputs
    }

    deinit { stop() }

    /// `http://127.0.0.1:<sendsms>/cgi-bin/sendsms`; log in with ``sendsmsUsername`` and ``sendsmsPassword``.
    var sendsmsURL: String { "http://127.0.0.1:\(ports.sendsms)/cgi-bin/sendsms" }

    // MARK: - Start

    /// Four distinct ports on 127.0.0.1 that nothing listens on now.
    static func reservePorts() throws -> Ports {
        var chosen: [Int] = []
        while chosen.count < 4 {
            let port = try LoopbackPort.free()
            if !chosen.contains(port) { chosen.append(port) }
        }
        return Ports(admin: chosen[0], smsbox: chosen[1], sendsms: chosen[2], smsc: chosen[3])
    }

    /// Starts bearerbox, waits until its admin interface answers and its SMSC is online, starts smsbox and waits until
    /// it is connected and its sendsms port accepts connections (20 s at most; about 0.15 s usually).
    ///
    /// - Parameters:
    ///   - ports: from ``reservePorts()``. Should another process take one of them meanwhile, start fails with the
    ///     reason in the log.
    ///   - smsOperator: a started operator; it learns the SMSC's port for its reports and MOs.
    ///   - moURL: where smsbox sends every MO (`http://127.0.0.1:…`, with a query of its own if need be);
    ///     ``moPlaceholders`` are appended. No `%` in it but before a digit: Kannel would replace `%` + letter.
    ///   - moRecode: smsbox's `mo-recode`: UCS-2 MOs reach `moURL` recoded to UTF-8 (`coding=0`, `charset=UTF-8`).
    ///   - moPost: use `post-url` (text as the body, sender and coding as `X-Kannel-*` headers, `send-sender = true`)
    ///     instead of `get-url`; only ``moPostPlaceholders`` are appended then.
    static func start(
        ports: Ports, operator smsOperator: FakeSMSOperator, moURL: String, moRecode: Bool = false, moPost: Bool = false
    ) async throws -> TestKannel {
        guard let bearerboxPath = ["/usr/sbin/bearerbox", "/usr/local/sbin/bearerbox"].first(where: FileManager.default.isExecutableFile),
            let smsboxPath = ["/usr/sbin/smsbox", "/usr/local/sbin/smsbox"].first(where: FileManager.default.isExecutableFile)
        else { throw Failure(description: "Kannel is not installed (no /usr/sbin/bearerbox or smsbox): apt-get install kannel") }
        guard smsOperator.port > 0 else { throw Failure(description: "start the FakeSMSOperator before TestKannel") }
        let serviceURL = try moServiceURL(moURL, placeholders: moPost ? moPostPlaceholders : moPlaceholders)

        let directory = "/tmp/sb-kannel-" + String(UUID().uuidString.prefix(8)).lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let configuration = Self.configuration(
            directory: directory, ports: ports, sendURL: smsOperator.sendURL, moURL: serviceURL, moRecode: moRecode, moPost: moPost,
            debug: ProcessInfo.processInfo.environment["SWITCHBOARD_KANNEL_DEBUG"] == "1")
        let configurationPath = directory + "/kannel.conf"
        do {
            try configuration.write(toFile: configurationPath, atomically: true, encoding: .utf8)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw Failure(description: "cannot write \(configurationPath): \(error)")
        }
        smsOperator.attach(kannelSMSCPort: ports.smsc)

        let bearerbox: (process: Process, input: Pipe)
        do {
            bearerbox = try WatchedProcess.launch([bearerboxPath, configurationPath], removing: directory, output: directory + "/bearerbox.out")
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw Failure(description: "cannot run \(bearerboxPath): \(error)")
        }
        var processes = [bearerbox.process]
        var inputs = [bearerbox.input]
        func fail(_ what: String) -> Failure {
            let text = logTail(directory: directory)
            terminate(processes: processes, inputs: inputs, directory: directory)
            return Failure(description: "\(what)\n\(text)")
        }
        func pause() async throws {
            do { try await Task.sleep(for: .milliseconds(20)) } catch { throw fail("Kannel's start was cancelled") }
        }
        let deadline = ContinuousClock.now + .seconds(20)
        let client = CurlHTTPClient()

        // bearerbox: the admin interface answers and the SMSC is online (bearerbox opens the box port before the
        // SMSC; a probe of the box port itself would hold bearerbox's box listener up for a second each time).
        while true {
            if let status = try? await status(client: client, port: ports.admin), status.contains("\(smscID)[\(smscID)]"),
                status.contains("(online")
            {
                break
            }
            // After a panic (a port taken, a bad configuration) bearerbox can hang instead of ending.
            if !bearerbox.process.isRunning || panicked(directory + "/bearerbox.out") {
                throw fail("bearerbox ended at start (ports \(ports))")
            }
            if ContinuousClock.now > deadline { throw fail("bearerbox did not come up within 20 s (ports \(ports))") }
            try await pause()
        }

        // smsbox: connected to bearerbox, sendsms port open. smsbox gives up at once when bearerbox does not take its
        // connection yet; it is started again then, a few times.
        var smsboxStarts = 0
        repeat {
            let smsbox: (process: Process, input: Pipe)
            do {
                smsbox = try WatchedProcess.launch([smsboxPath, configurationPath], removing: directory, output: directory + "/smsbox.out")
            } catch {
                throw fail("cannot run \(smsboxPath): \(error)")
            }
            smsboxStarts += 1
            processes.append(smsbox.process)
            inputs.append(smsbox.input)
            while smsbox.process.isRunning && !panicked(directory + "/smsbox.out") {
                if let status = try? await status(client: client, port: ports.admin), status.contains("smsbox:"), accepts(port: ports.sendsms) {
                    return TestKannel(ports: ports, directory: directory, bearerbox: bearerbox.process, smsbox: smsbox.process, inputs: inputs)
                }
                if !bearerbox.process.isRunning { throw fail("bearerbox ended while smsbox started (ports \(ports))") }
                if ContinuousClock.now > deadline { throw fail("smsbox did not come up within 20 s (ports \(ports))") }
                try await pause()
            }
            // Gone, or hanging after its panic: its process group goes (the watcher with it, leaving the directory).
            WatchedProcess.killGroup(smsbox.process)
            try await pause()
        } while smsboxStarts < 3 && ContinuousClock.now < deadline
        throw fail("smsbox ended at start \(smsboxStarts) times (ports \(ports))")
    }

    /// Whether a box's standard error shows a Kannel panic.
    private static func panicked(_ path: String) -> Bool {
        (try? String(contentsOfFile: path, encoding: .utf8))?.contains("PANIC:") ?? false
    }

    /// `moURL` with ``moPlaceholders`` appended, after checking Kannel will not rewrite any of it.
    static func moServiceURL(_ moURL: String, placeholders: String = moPlaceholders) throws -> String {
        guard moURL.hasPrefix("http://") || moURL.hasPrefix("https://") else {
            throw Failure(description: "moURL must be an http:// URL: \(moURL)")
        }
        guard !moURL.contains(where: { $0 == "\"" || $0.isNewline }) else {
            throw Failure(description: "moURL must not contain quotes or line breaks (it goes into kannel.conf): \(moURL)")
        }
        var index = moURL.startIndex
        while let percent = moURL[index...].firstIndex(of: "%") {
            let next = moURL.index(after: percent)
            guard next < moURL.endIndex, moURL[next].isASCII, moURL[next].isNumber else {
                throw Failure(description: "moURL has a % that Kannel would read as a placeholder (only %<digit> is left alone): \(moURL)")
            }
            index = next
        }
        let separator = moURL.hasSuffix("?") || moURL.hasSuffix("&") ? "" : (moURL.contains("?") ? "&" : "?")
        return moURL + separator + placeholders
    }

    /// What is appended to a `post-url`: the rest travels in the body and `X-Kannel-*` headers, but Kannel's message
    /// id has no header of its own.
    static let moPostPlaceholders = "id=%I"


    /// The complete kannel.conf: everything on 127.0.0.1 and inside `directory`.
    static func configuration(
        directory: String, ports: Ports, sendURL: String, moURL: String, moRecode: Bool = false, moPost: Bool = false, debug: Bool = false
    )
        -> String
    {
        let level = debug ? 0 : 1
        return """
            # A private Kannel for the tests (written by TestKannel.swift).
            group = core
            admin-port = \(ports.admin)
            admin-interface = 127.0.0.1
            admin-password = \(adminPassword)
            status-password = \(adminPassword)
            admin-allow-ip = 127.0.0.1
            smsbox-port = \(ports.smsbox)
            smsbox-interface = 127.0.0.1
            box-allow-ip = 127.0.0.1
            log-file = "\(directory)/bearerbox.log"
            log-level = \(level)
            access-log = "\(directory)/bearerbox-access.log"
            store-type = file
            store-location = "\(directory)/kannel.store"
            dlr-storage = internal
            # A part the operator refused for now (TEMP) goes again after 1 s, up to 10 times.
            sms-resend-freq = 1
            sms-resend-retry = 10

            # The operator: MTs go to its send-url, one GET per part; it sends MOs and delivery reports to `port`.
            # (Kannel 1.4.5 binds this port on every interface; only 127.0.0.1 may use it.)
            group = smsc
            smsc = http
            smsc-id = \(smscID)
            system-type = generic
            port = \(ports.smsc)
            connect-allow-ip = 127.0.0.1
            send-url = "\(sendURL)"
            status-success-regex = "^OK "
            status-permfail-regex = "^FAIL"
            status-tempfail-regex = "^TEMP"
            generic-foreign-id-regex = "^OK ([A-Za-z0-9._-]+)"
            # Answers to the operator: 200 "Sent <Kannel's message id>" when taken, 400 when not.
            generic-message-sent = "Sent %I"
            generic-status-sent = 200
            generic-status-error = 400
            reconnect-delay = 1

            group = smsbox
            bearerbox-host = 127.0.0.1
            bearerbox-port = \(ports.smsbox)
            sendsms-port = \(ports.sendsms)
            sendsms-interface = 127.0.0.1
            log-file = "\(directory)/smsbox.log"
            log-level = \(level)
            access-log = "\(directory)/smsbox-access.log"
            # A failed get-url or dlr-url request (not 200 or 202, or no connection) is tried 3 more times, 1 s apart.
            http-request-retry = 3
            http-queue-delay = 1
            mo-recode = \(moRecode ? "true" : "false")

            group = sendsms-user
            username = \(sendsmsUsername)
            password = \(sendsmsPassword)
            user-allow-ip = 127.0.0.1
            max-messages = 10
            concatenation = true

            # Every MO, whatever its first word, to the gateway; the answer's body is never sent back as an SMS.
            group = sms-service
            keyword = default
            \(moPost ? "post-url" : "get-url") = "\(moURL)"
            send-sender = true
            max-messages = 0
            omit-empty = true
            concatenation = false

            """
    }

    private static func status(client: CurlHTTPClient, port: Int) async throws -> String {
        let response = try await client.perform(
            Curl.HTTPRequest(
                method: "GET", url: "http://127.0.0.1:\(port)/status.txt?password=\(adminPassword)", timeout: .seconds(2), connectTimeout: .seconds(1)))
        guard response.status == 200 else { throw Failure(description: "bearerbox status answered HTTP \(response.status)") }
        return String(decoding: response.body, as: UTF8.self)
    }

    /// Whether something accepts TCP connections on 127.0.0.1:port.
    static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    // MARK: - Use

    /// bearerbox's `status.txt`: boxes, SMSC state, queues and counters.
    func status() async throws -> String {
        try await Self.status(client: CurlHTTPClient(), port: ports.admin)
    }

    /// The ends of bearerbox's and smsbox's logs and access logs, for failure messages.
    func log() -> String {
        Self.logTail(directory: directory)
    }

    private static func logTail(directory: String, lines: Int = 25) -> String {
        let files = ["bearerbox.out", "bearerbox.log", "bearerbox-access.log", "smsbox.out", "smsbox.log", "smsbox-access.log"]
        return files.compactMap { name -> String? in
            guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8), !text.isEmpty else { return nil }
            let tail = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
            return "--- \(name) ---\n\(tail)"
        }.joined(separator: "\n")
    }

    // MARK: - Stop

    /// Ends both boxes and removes the directory. Safe to call again.
    func stop() {
        let alreadyStopped = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        Self.terminate(processes: [smsbox, bearerbox], inputs: inputs, directory: directory)
    }

    private static func terminate(processes: [Process], inputs: [Pipe], directory: String) {
        // Closing the pipes makes each wrapper kill its process group.
        for input in inputs { try? input.fileHandleForWriting.close() }
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline && processes.contains(where: \.isRunning) { usleep(5_000) }
        for process in processes { WatchedProcess.killGroup(process) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
