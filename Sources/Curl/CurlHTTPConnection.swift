import CCurl

/// One kept-alive HTTP connection for a caller that sends requests one after another from a thread of its
/// own (a load generator's worker): the easy handle, and with it the connection, is reused between requests.
/// Not for sharing between threads.
public final class CurlHTTPConnection {
    private let handle: UnsafeMutableRawPointer

    public init() throws {
        CurlRuntime.initialize()
        guard let handle = curl_easy_init() else { throw CurlError(code: -1, description: "curl_easy_init failed") }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Performs a request, blocking the calling thread.
    public func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        // Reset clears the last request's options; the live connection stays in the handle's cache.
        curl_easy_reset(handle)
        return try CurlHTTPClient.perform(request, on: handle)
    }
}
