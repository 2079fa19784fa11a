import Digests
import Foundation

/// A plain hex HMAC-SHA256 over the raw body in one header (`sha256=<hex>`), the scheme GitHub and many
/// simple senders use.
public struct HMACSignature: Sendable {
    private let key: [UInt8]

    public init(secret: String) {
        self.key = Array(secret.utf8)
    }

    /// A signature under a key of raw bytes (a generated secret rather than one ops typed).
    public init(key: [UInt8]) {
        self.key = key
    }

    /// The raw 32-byte HMAC-SHA256 of `data`, for schemes that encode it themselves.
    public func code(for data: some ContiguousBytesLike) -> [UInt8] {
        Digest.hmacSHA256(key: key, data: data)
    }

    /// True when `code` is the HMAC of `data`; compared in constant time.
    public func isValid(code: [UInt8], for data: some ContiguousBytesLike) -> Bool {
        Digest.constantTimeEqual(code, Digest.hmacSHA256(key: key, data: data))
    }

    /// The header value for `body`.
    public func sign(_ body: Data) -> String {
        "sha256=" + Digest.hex(Digest.hmacSHA256(key: key, data: body))
    }

    /// True when `header` carries the right signature for `body`; compared in constant time.
    public func isValid(header: String?, body: Data) -> Bool {
        guard let header else { return false }
        let value = header.hasPrefix("sha256=") ? header.dropFirst(7) : Substring(header)
        guard let given = Digest.bytes(fromHex: value) else { return false }
        return Digest.constantTimeEqual(given, Digest.hmacSHA256(key: key, data: body))
    }
}
