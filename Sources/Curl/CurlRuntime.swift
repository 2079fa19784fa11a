import CCurl

/// libcurl's process-wide set-up, which must run once before any handle is made and is not thread-safe.
public enum CurlRuntime {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }()

    /// Initializes libcurl once; later calls do nothing.
    @discardableResult
    public static func initialize() -> Bool { initialized }
}
