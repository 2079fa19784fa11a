import BlockingWork
import CCurl
import Foundation
import Logging
import SwitchboardCore

/// Fetches provider-hosted files over libcurl, one easy handle per file, on ``BlockingWork``'s threads.
///
/// Only `http` and `https`, also for redirects. The byte limit is enforced while the body streams, so a
/// host that sends more than it may (or lies in `Content-Length`) costs at most the limit. Credentials go
/// only to the URL's own host: curl keeps them from a redirect's other host unless
/// `CURLOPT_UNRESTRICTED_AUTH` is set, which it never is here.
public struct CurlAttachmentFetcher: AttachmentFetcher {
    /// Most redirects followed when a fetch follows them at all.
    public static let maximumRedirects = 3

    /// How long one fetch may take, redirects included.
    public var timeout: Duration
    /// How long connecting (TCP and TLS) to one host may take.
    public var connectTimeout: Duration
    let logger: Logger

    /// - Parameters:
    ///   - timeout: the whole fetch; a file still arriving then is refused `fetch_failed`.
    ///   - connectTimeout: each connection's TCP and TLS set-up.
    public init(timeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(10), logger: Logger) {
        CurlRuntime.initialize()
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.logger = logger
    }

    public func fetch(_ remote: RemoteAttachment, maxBytes: Int, followRedirects: Bool) async -> Result<FetchedFile, AttachmentRefusal> {
        guard let endpoint = AttachmentPolicy.endpoint(of: remote.url) else {
            return .failure(AttachmentRefusal(code: "fetch_failed", message: "the file's address is not an http:// or https:// URL without credentials"))
        }
        let (timeout, connectTimeout) = (timeout, connectTimeout)
        let result: Result<FetchedFile, AttachmentRefusal>
        do {
            result = try await BlockingWork.run {
                Self.fetchBlocking(
                    remote, host: endpoint.host, maxBytes: maxBytes, followRedirects: followRedirects, timeout: timeout,
                    connectTimeout: connectTimeout)
            }
        } catch {
            result = .failure(AttachmentRefusal(code: "fetch_failed", message: "the file at host '\(endpoint.host)' could not be fetched: the server is shutting down"))
        }
        if case let .failure(refusal) = result {
            // The refusal names the host only; the URL's path and query can hold a provider's token.
            logger.debug("attachment not fetched", metadata: ["refusal.code": "\(refusal.code)", "refusal.message": "\(refusal.message)"])
        }
        return result
    }

    static func fetchBlocking(
        _ remote: RemoteAttachment, host: String, maxBytes: Int, followRedirects: Bool, timeout: Duration, connectTimeout: Duration
    ) -> Result<FetchedFile, AttachmentRefusal> {
        func failed(_ reason: String) -> Result<FetchedFile, AttachmentRefusal> {
            .failure(AttachmentRefusal(code: "fetch_failed", message: "the file at host '\(host)' could not be fetched: \(reason)"))
        }
        guard let handle = curl_easy_init() else { return failed("curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        let sink = FetchSink(limit: max(0, maxBytes), followsRedirects: followRedirects)
        let sinkPointer = Unmanaged.passRetained(sink)
        defer { sinkPointer.release() }
        do {
            try configure(
                handle, remote: remote, maxBytes: maxBytes, followRedirects: followRedirects, timeout: timeout, connectTimeout: connectTimeout,
                sink: sinkPointer.toOpaque())
        } catch {
            return failed(error.description)
        }
        let code = curl_easy_perform(handle)
        var status = 0
        _ = sb_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        if sink.overflowed || code == CURLE_FILESIZE_EXCEEDED {
            return .failure(AttachmentRefusal(
                code: "too_large", message: "the file at host '\(host)' is larger than \(maxBytes) bytes, the most this source keeps"))
        }
        if code == CURLE_TOO_MANY_REDIRECTS {
            return failed("more than \(maximumRedirects) redirects")
        }
        // A write error with a status other than 2xx is the sink refusing an error page: the status says why.
        if code != CURLE_OK, !(code == CURLE_WRITE_ERROR && status != 0 && !(200..<300).contains(status)) {
            return failed(CurlError(code, during: "HTTP transfer").description)
        }
        switch status {
        case 200..<300:
            var contentType: UnsafePointer<CChar>?
            _ = sb_curl_getinfo_string(handle, CURLINFO_CONTENT_TYPE, &contentType)
            return .success(FetchedFile(data: sink.body, contentType: contentType.map { String(cString: $0) }))
        case 300..<400 where !followRedirects:
            return failed("HTTP \(status), a redirect, which this source does not follow")
        default:
            return failed("HTTP \(status)")
        }
    }

    private static func configure(
        _ handle: UnsafeMutableRawPointer, remote: RemoteAttachment, maxBytes: Int, followRedirects: Bool, timeout: Duration,
        connectTimeout: Duration, sink: UnsafeMutableRawPointer
    ) throws(CurlError) {
        func check(_ code: CURLcode, _ step: String) throws(CurlError) {
            if code != CURLE_OK { throw CurlError(code, during: step) }
        }
        try check(sb_curl_setopt_string(handle, CURLOPT_URL, remote.url), "setting the URL")
        try check(sb_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "disabling signals")
        try check(sb_curl_setopt_long(handle, CURLOPT_HTTPGET, 1), "making it a GET")
        try check(sb_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "restricting protocols")
        try check(sb_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "restricting redirect protocols")
        try check(sb_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, followRedirects ? 1 : 0), "setting redirects")
        try check(sb_curl_setopt_long(handle, CURLOPT_MAXREDIRS, maximumRedirects), "limiting redirects")
        try check(sb_curl_setopt_long(handle, CURLOPT_UNRESTRICTED_AUTH, 0), "keeping credentials to the first host")
        try check(sb_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeout.curlMilliseconds), "setting the timeout")
        try check(sb_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeout.curlMilliseconds), "setting the connect timeout")
        try check(sb_curl_setopt_string(handle, CURLOPT_USERAGENT, "switchboard"), "setting the user agent")
        if maxBytes > 0 {
            // Refuses a declared Content-Length over the limit before any byte; the sink catches the rest.
            try check(sb_curl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxBytes)), "setting the size limit")
        }
        if remote.user != nil || remote.password != nil {
            // Basic, curl's default scheme: sent with the first request, to the URL's host only.
            try check(sb_curl_setopt_string(handle, CURLOPT_USERNAME, remote.user ?? ""), "setting the user name")
            try check(sb_curl_setopt_string(handle, CURLOPT_PASSWORD, remote.password ?? ""), "setting the password")
        }
        try check(sb_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, { data, size, count, context in
            Unmanaged<FetchSink>.fromOpaque(context!).takeUnretainedValue().write(data, size * count)
        }), "setting the body callback")
        try check(sb_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sink), "setting the body sink")
        try check(sb_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, { data, size, count, context in
            Unmanaged<FetchSink>.fromOpaque(context!).takeUnretainedValue().header(data, size * count)
            return size * count
        }), "setting the header callback")
        try check(sb_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sink), "setting the header sink")
    }
}

/// Collects one fetch's body inside curl's callbacks, which all run on the transfer's thread.
private final class FetchSink {
    let limit: Int
    let followsRedirects: Bool
    var body = Data()
    /// The status of the response being received (each redirect hop starts a new one).
    var status = 0
    private(set) var overflowed = false

    init(limit: Int, followsRedirects: Bool) {
        self.limit = limit
        self.followsRedirects = followsRedirects
    }

    /// Takes a 2xx body up to the limit. Returning less than `count` makes curl end the transfer with
    /// CURLE_WRITE_ERROR: past the limit, and for an error page or a redirect not followed, whose body is
    /// never kept (nor waited for).
    func write(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let data else { return count }
        switch status {
        case 200..<300:
            guard body.count + count <= limit else {
                overflowed = true
                return 0
            }
            body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: count)
            return count
        case 300..<400 where followsRedirects:
            return count  // the body of a redirect being followed, dropped
        default:
            return 0
        }
    }

    /// Reads the status line of each response.
    func header(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) {
        guard let data else { return }
        let bytes = UnsafeRawBufferPointer(start: data, count: count)
        guard bytes.starts(with: "HTTP/".utf8) else { return }
        let fields = String(decoding: bytes, as: UTF8.self).split(separator: " ", maxSplits: 2)
        status = fields.count > 1 ? Int(fields[1].prefix(3)) ?? 0 : 0
        body.removeAll()
    }
}
