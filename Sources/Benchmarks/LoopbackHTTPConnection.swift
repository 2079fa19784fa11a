import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One request as the load generator sends it: the bytes are laid out once per request, not per header.
struct LoadRequest: Sendable {
    var method: String
    var path: String
    var headers: [(String, String)] = []
    var body: [UInt8] = []
}

/// A minimal HTTP/1.1 client on one kept-alive loopback connection: it writes a request and reads the one
/// response (status line, headers, a `Content-Length` or chunked body), nothing else.
///
/// The load generator shares two cores with the server it measures. curl spent about 50 µs of CPU per
/// request there, a sixth of what the server spent on a durable message; every microsecond the client
/// takes is one the server does not get, and a real gateway's clients are on other machines.
struct LoopbackHTTPConnection: ~Copyable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let port: Int
    private var socket: Int32 = -1
    private var buffer: [UInt8] = []
    /// How far `buffer` holds bytes read and not yet consumed.
    private var start = 0
    private var end = 0

    init(port: Int) {
        self.port = port
        buffer = [UInt8](repeating: 0, count: 64 * 1024)
    }

    deinit {
        if socket >= 0 { close(socket) }
    }

    /// Sends the request and returns the response's status code. The connection is reopened if the
    /// server closed it; a failure leaves it closed for the next request to reopen.
    mutating func perform(_ request: LoadRequest) throws(Failure) -> Int {
        if socket < 0 { try connect() }
        do {
            try send(Self.serialize(request))
            return try readResponse()
        } catch {
            disconnect()
            throw error
        }
    }

    static func serialize(_ request: LoadRequest) -> [UInt8] {
        var head = "\(request.method) \(request.path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in request.headers { head += "\(name): \(value)\r\n" }
        if !request.body.isEmpty || request.method == "POST" { head += "Content-Length: \(request.body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + request.body
    }

    private mutating func connect() throws(Failure) {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        // A server that stops answering fails the request instead of stalling the benchmark.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw Failure(description: "connecting to 127.0.0.1:\(port) failed: errno \(errno)")
        }
        socket = descriptor
        start = 0
        end = 0
    }

    private mutating func disconnect() {
        if socket >= 0 { close(socket) }
        socket = -1
    }

    private func send(_ bytes: [UInt8]) throws(Failure) {
        var sent = 0
        while sent < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw Failure(description: "sending failed: errno \(errno)") }
            sent += written
        }
    }

    /// Reads more bytes after `end`, moving unread ones to the front first when the buffer is full.
    private mutating func fill() throws(Failure) {
        if end == buffer.count {
            if start == 0 { buffer += [UInt8](repeating: 0, count: buffer.count) } else {
                buffer.withUnsafeMutableBytes { raw in _ = memmove(raw.baseAddress!, raw.baseAddress! + start, end - start) }
                end -= start
                start = 0
            }
        }
        let capacity = buffer.count - end
        let count = buffer.withUnsafeMutableBytes { raw in recv(socket, raw.baseAddress! + end, capacity, 0) }
        if count < 0, errno == EINTR { return }
        guard count > 0 else { throw Failure(description: count == 0 ? "the server closed the connection" : "receiving failed: errno \(errno)") }
        end += count
    }

    /// The index just past the first CRLF at or after `from`, reading more as needed.
    private mutating func line(from: Int) throws(Failure) -> (end: Int, next: Int) {
        var index = from
        while true {
            while index + 1 < end {
                if buffer[index] == 13, buffer[index + 1] == 10 { return (index, index + 2) }
                index += 1
            }
            let offset = start
            try fill()
            index -= offset - start  // the unread bytes may have moved to the front
        }
    }

    private mutating func readResponse() throws(Failure) -> Int {
        let statusLine = try line(from: start)
        // "HTTP/1.1 200 OK"
        guard statusLine.end - start >= 12 else { throw Failure(description: "malformed status line") }
        let status = (Int(buffer[start + 9]) - 48) * 100 + (Int(buffer[start + 10]) - 48) * 10 + (Int(buffer[start + 11]) - 48)
        start = statusLine.next
        var length: Int?
        var chunked = false
        var closes = false
        while true {
            let header = try line(from: start)
            if header.end == start {
                start = header.next
                break
            }
            let text = String(decoding: buffer[start..<header.end], as: UTF8.self).lowercased()
            if text.hasPrefix("content-length:") {
                length = Int(text.dropFirst(15).trimmingCharacters(in: .whitespaces))
            } else if text.hasPrefix("transfer-encoding:"), text.contains("chunked") {
                chunked = true
            } else if text.hasPrefix("connection:"), text.contains("close") {
                closes = true
            }
            start = header.next
        }
        if chunked {
            while true {
                let sizeLine = try line(from: start)
                let sizeText = String(decoding: buffer[start..<sizeLine.end], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw Failure(description: "malformed chunk size")
                }
                start = sizeLine.next
                try skip(size + 2)  // the chunk and its CRLF; the last chunk is empty (trailers are not sent here)
                if size == 0 { break }
            }
        } else {
            try skip(length ?? 0)
        }
        if start == end {
            start = 0
            end = 0
        }
        if closes { disconnect() }
        return status
    }

    private mutating func skip(_ count: Int) throws(Failure) {
        var remaining = count
        while remaining > 0 {
            if start == end {
                start = 0
                end = 0
                try fill()
            }
            let taken = min(remaining, end - start)
            start += taken
            remaining -= taken
        }
    }
}
