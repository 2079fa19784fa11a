import BlockingWork
import CCurl
import Dispatch
import Foundation

/// An HTTP request as the gateway sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data
    /// How long the whole transfer may take.
    public var timeout: Duration
    /// How long connecting (TCP and TLS) may take.
    public var connectTimeout: Duration

    public init(method: String = "POST", url: String, headers: [(name: String, value: String)] = [], body: Data = Data(), timeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(5)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }
}

/// What came back: status, headers (lower-cased names) and at most the first 64 KiB of the body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data
}

/// HTTP over libcurl, one easy handle per transfer. Transfers block, so they run on threads of their own
/// (``BlockingWork``), never on Swift's cooperative thread pool.
public struct CurlHTTPClient: Sendable {
    /// Largest response body kept; the rest is read and dropped.
    public static let maximumResponseBody = 64 * 1024

    public init() {
        CurlRuntime.initialize()
    }

    /// Performs a request; throws ``CurlError`` when no HTTP response was received at all.
    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await BlockingWork.run { try Self.performBlocking(request) }
    }

    static func performBlocking(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let handle = curl_easy_init() else { throw CurlError(code: -1, description: "curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        return try perform(request, on: handle)
    }

    /// Runs one transfer on a handle; a handle used again keeps its connection alive.
    static func perform(_ request: HTTPRequest, on handle: UnsafeMutableRawPointer) throws -> HTTPResponse {
        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passRetained(sink)
        defer { sinkPointer.release() }

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for header in request.headers {
            // A header with a line break would let a value inject another header.
            guard !header.name.contains(where: \.isNewline), !header.value.contains(where: \.isNewline) else {
                throw CurlError(code: -2, description: "header \(header.name) contains a line break")
            }
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        // curl sends "Expect: 100-continue" for larger bodies; receivers then wait a second for nothing.
        headerList = curl_slist_append(headerList, "Expect:")

        func check(_ code: CURLcode, _ step: String) throws {
            if code != CURLE_OK { throw CurlError(code, during: step) }
        }
        try check(sb_curl_setopt_string(handle, CURLOPT_URL, request.url), "setting the URL")
        try check(sb_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "disabling signals")
        try check(sb_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "restricting protocols")
        try check(sb_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), "disabling redirects")
        try check(sb_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeout.curlMilliseconds), "setting the timeout")
        try check(sb_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.curlMilliseconds), "setting the connect timeout")
        try check(sb_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method), "setting the method")
        try check(sb_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), "setting headers")
        try check(sb_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, { data, size, count, context in
            let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
            sink.appendBody(data, size * count)
            return size * count
        }), "setting the body callback")
        try check(sb_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer.toOpaque()), "setting the body sink")
        try check(sb_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, { data, size, count, context in
            let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
            sink.appendHeader(data, size * count)
            return size * count
        }), "setting the header callback")
        try check(sb_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer.toOpaque()), "setting the header sink")

        let code: CURLcode = try request.body.withUnsafeBytes { body in
            if request.method != "GET" {
                try check(sb_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count), "setting the body size")
                try check(sb_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: body.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)), "setting the body")
            }
            return curl_easy_perform(handle)
        }
        try check(code, "HTTP transfer")
        var status = 0
        try check(sb_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status), "reading the status")
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }
}

/// Collects a response inside curl's callbacks, which all run on the transfer's thread.
private final class ResponseSink {
    var body = Data()
    var headers: [String: String] = [:]

    func appendBody(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) {
        guard let data, body.count < CurlHTTPClient.maximumResponseBody else { return }
        body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: min(count, CurlHTTPClient.maximumResponseBody - body.count))
    }

    /// Parses one header line from its bytes; `trimmingCharacters(in:)` went through `NSString` on Linux and
    /// was a visible share of the load generator's CPU, which `bench ingest` shares with the server.
    func appendHeader(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) {
        guard let data else { return }
        let bytes = UnsafeRawBufferPointer(start: data, count: count)
        if bytes.starts(with: "HTTP/".utf8) {
            headers = [:]  // a new response (after 100 Continue) starts over
            return
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        var start = colon + 1, end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        let name = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
        headers[name] = String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
