import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to the gateway, for tests that must control every byte and its timing
/// (a slow sender, connections held open) where an HTTP client would not.
final class RawConnection {
    private let descriptor: Int32
    private(set) var received: [UInt8] = []
    /// Whether the server closed (or reset) the connection.
    private(set) var closedByServer = false

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw Failure("connect() failed")
        }
    }

    deinit { close(descriptor) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// What arrived so far, as text.
    var text: String { String(decoding: received, as: UTF8.self) }

    /// Sends the bytes; false when the connection is gone (no SIGPIPE).
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Reads what arrives until the server closes or goes quiet for `milliseconds`; returns whether
    /// anything arrived or the connection closed. Waits by sleeping between non-blocking polls, so a
    /// test holding a connection open does not hold one of the few threads the servers' tasks run on.
    @discardableResult
    func read(waiting milliseconds: Int) async -> Bool {
        var progressed = false
        var quietSince = ContinuousClock.now
        while !closedByServer, ContinuousClock.now - quietSince < .milliseconds(milliseconds) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 0) > 0 else {
                try? await Task.sleep(for: .milliseconds(5))
                continue
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            progressed = true
            quietSince = ContinuousClock.now
            if count <= 0 {
                closedByServer = true
            } else {
                received += buffer[..<count]
            }
        }
        return progressed
    }

    /// Reads until a whole response with a `content-length` has arrived (or the server closed, or
    /// `seconds` passed without one).
    func readResponse(within seconds: Int = 10) async {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline, !closedByServer, !hasCompleteResponse {
            await read(waiting: 100)
        }
    }

    private var hasCompleteResponse: Bool {
        let text = self.text
        guard let split = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<split.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return false }
        return text.utf8.count - text.utf8.distance(from: text.startIndex, to: split.upperBound) >= length
    }

    /// Forgets what arrived so far, for the next response on the same connection.
    func clear() { received = [] }
}
