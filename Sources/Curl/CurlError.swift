import CCurl

/// A libcurl failure: the `CURLcode` and curl's own short text, never the URL's credentials or a body.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var description: String

    init(_ code: CURLcode, during step: String) {
        self.code = Int(code.rawValue)
        self.description = "\(step): \(String(cString: curl_easy_strerror(code))) (curl code \(code.rawValue))"
    }

    init(code: Int, description: String) {
        self.code = code
        self.description = description
    }
}
