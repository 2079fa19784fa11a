import Curl
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A private Dovecot for `switchboard bench imap`: 127.0.0.1 only, plaintext login with one static
/// password, Maildir in a temporary directory of its own.
///
/// It runs under a shell that watches a pipe from this process: when the pipe closes, because ``stop()``
/// closed it or because the benchmark died, the shell kills Dovecot's process group and removes the
/// directory, so no server outlives the measurement.
final class BenchDovecot: @unchecked Sendable {
    static let password = "switchboard-bench-password"

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

    deinit { stop() }

    /// `imap://127.0.0.1:port` logged in as `user`.
    func endpoint(user: String) -> MailServerEndpoint {
        MailServerEndpoint(url: "imap://127.0.0.1:\(port)", username: user, password: Self.password, connectTimeout: .seconds(5), timeout: .seconds(30))
    }

    static func start() async throws -> BenchDovecot {
        guard let dovecot = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot", "/opt/homebrew/sbin/dovecot"].first(where: FileManager.default.isExecutableFile)
        else { throw BenchmarkError("dovecot is not installed (apt-get install dovecot-imapd)") }
        // Short: Dovecot's unix sockets live under it, and their paths are limited to 108 bytes.
        let directory = "/tmp/sb-bench-" + String(UUID().uuidString.prefix(8)).lowercased()
        let mail = directory + "/mail"
        try FileManager.default.createDirectory(atPath: mail, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory)
        let user = try DovecotConfiguration.MailUser.current()
        _ = chown(mail, user.uid, user.gid)
        let port = try LoopbackPort.free()
        try DovecotConfiguration.text(directory: directory, port: port, user: user, password: password, syncMail: true).write(toFile: directory + "/dovecot.conf", atomically: true, encoding: .utf8)

        let input = Pipe()
        let wrapper = Process()
        let setsid = ["/usr/bin/setsid", "/bin/setsid"].first(where: FileManager.default.isExecutableFile)
        let ending = setsid == nil ? "kill -TERM $child 2>/dev/null" : "kill -KILL 0"
        wrapper.executableURL = URL(fileURLWithPath: setsid ?? "/bin/sh")
        wrapper.arguments = (setsid == nil ? [] : ["/bin/sh"]) + [
            "-c",
            "exec 3<&0; \"$@\" </dev/null & child=$!; (cat <&3 >/dev/null; rm -rf '\(directory)'; \(ending)) & exec 3<&-; wait $child",
            "bench-dovecot", dovecot, "-F", "-c", directory + "/dovecot.conf",
        ]
        wrapper.standardInput = input
        let output = directory + "/dovecot.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        if let handle = FileHandle(forWritingAtPath: output) {
            wrapper.standardOutput = handle
            wrapper.standardError = handle
        }
        try wrapper.run()
        let server = BenchDovecot(port: port, directory: directory, wrapper: wrapper, input: input)
        let deadline = ContinuousClock.now + .seconds(15)
        while !greets(port: port) {
            if !wrapper.isRunning || ContinuousClock.now > deadline {
                let log = (try? String(contentsOfFile: directory + "/dovecot.log", encoding: .utf8)) ?? ""
                server.stop()
                throw BenchmarkError("dovecot did not start on 127.0.0.1:\(port): \(log.suffix(1000))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return server
    }

    /// Ends Dovecot and removes its directory; safe to call again.
    func stop() {
        try? input.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + .seconds(3)
        while wrapper.isRunning, ContinuousClock.now < deadline { usleep(5_000) }
        let pid = wrapper.processIdentifier
        if pid > 0, pid != getpgrp(), wrapper.isRunning { kill(-pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    private static func openConnection(_ port: Int) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    /// Whether an IMAP server on the port answers with its `* OK` greeting.
    private static func greets(port: Int) -> Bool {
        guard let descriptor = openConnection(port) else { return false }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return false }
        _ = send(descriptor, "z LOGOUT\r\n", 10, Int32(MSG_NOSIGNAL))
        return String(decoding: buffer[0..<count], as: UTF8.self).hasPrefix("* OK")
    }
}
