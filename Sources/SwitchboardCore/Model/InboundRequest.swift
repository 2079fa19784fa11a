import Foundation

/// An HTTP request made to a source's inbound endpoint (a webhook post, a mail server's hand-over, an SMS
/// gateway's message or delivery report), as plain values, so channel adapters read it without depending
/// on the HTTP server.
public struct InboundRequest: Sendable {
    /// Which of a source's endpoints was called.
    public enum Endpoint: String, Sendable, Hashable {
        /// `/v1/inbound/{channel}/{source}`: messages.
        case messages
        /// `/v1/inbound/{channel}/{source}/report`: delivery reports for replies.
        case reports = "report"
    }

    public var endpoint: Endpoint
    public var method: String
    /// The path and query exactly as requested (`/v1/inbound/sms/kannel?from=…`), which signatures cover.
    public var target: String
    /// Header fields with lower-cased names; a repeated field's values are joined with ", ", as HTTP
    /// combines them (`; ` for `cookie`).
    public var headers: [String: String]
    public var body: Data

    public init(endpoint: Endpoint = .messages, method: String, target: String, headers: [String: String], body: Data) {
        self.endpoint = endpoint
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// The query's parameters, then the form body's (`application/x-www-form-urlencoded`); a form value
    /// wins over a query value of the same name. `+` reads as a space, as HTML forms mean it.
    public var parameters: [String: String] {
        var result: [String: String] = [:]
        if let query = target.split(separator: "?", maxSplits: 1).dropFirst().first {
            for (name, value) in Self.formPairs(String(query)) { result[name] = value }
        }
        if isForm {
            for (name, value) in Self.formPairs(String(decoding: body, as: UTF8.self)) { result[name] = value }
        }
        return result
    }

    /// Whether the body is an HTML form.
    public var isForm: Bool {
        headers["content-type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false
    }

    /// The name/value pairs of a form or query string, in order, decoded.
    public static func formPairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The raw bytes of a query parameter, percent-decoded but not read as text: some providers send
    /// message text in the bytes of its own encoding (UTF-16BE for UCS-2).
    public func queryBytes(_ name: String) -> [UInt8]? {
        guard let query = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name[...] else { continue }
            return Self.percentDecodedBytes(parts[1])
        }
        return nil
    }

    static func percentDecodedBytes(_ text: Substring) -> [UInt8] {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), index + 2 < utf8.count, let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
