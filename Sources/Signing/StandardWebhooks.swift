import Digests
import Foundation

/// Signing and verification per the Standard Webhooks specification:
/// `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with a `whsec_` base64 secret.
public struct StandardWebhooks: Sendable {
    /// Why a signature was refused. The description names the problem and never the secret.
    public struct VerificationError: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Code: String, Sendable {
            case missingHeaders = "missing_headers"
            case invalidTimestamp = "invalid_timestamp"
            case timestampOutsideTolerance = "timestamp_outside_tolerance"
            case noMatchingSignature = "no_matching_signature"
        }

        public var code: Code
        public var description: String

        init(_ code: Code, _ description: String) {
            self.code = code
            self.description = description
        }
    }

    private let key: [UInt8]

    /// - Parameter secret: `whsec_` followed by base64, or raw base64.
    public init(secret: String) throws {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let key = Data(base64Encoded: encoded), !key.isEmpty else {
            throw SigningError("webhook secret is not valid base64 (expected whsec_<base64>)")
        }
        self.key = Array(key)
    }

    /// The signature header value for a message.
    public func signature(id: String, timestamp: Int, body: Data) -> String {
        var payload = Data("\(id).\(timestamp).".utf8)
        payload.append(body)
        let mac = Digest.hmacSHA256(key: key, data: payload)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The three headers to send with a message.
    public func headers(id: String, timestamp: Int, body: Data) -> [(name: String, value: String)] {
        [
            ("webhook-id", id),
            ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signature(id: id, timestamp: timestamp, body: body)),
        ]
    }

    /// Verifies a received message; throws a ``VerificationError`` naming what is wrong.
    public func verify(
        id: String?,
        timestamp: String?,
        signatureHeader: String?,
        body: Data,
        now: Date = Date(),
        tolerance: TimeInterval = 300
    ) throws {
        guard let id, let timestamp, let signatureHeader, !id.isEmpty else {
            throw VerificationError(.missingHeaders, "webhook-id, webhook-timestamp and webhook-signature headers are required")
        }
        guard let seconds = Int(timestamp) else {
            throw VerificationError(.invalidTimestamp, "webhook-timestamp is not an integer number of seconds")
        }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else {
            throw VerificationError(.timestampOutsideTolerance, "webhook-timestamp is more than \(Int(tolerance)) seconds from now")
        }
        let expected = Array(signature(id: id, timestamp: seconds, body: body).utf8)
        for candidate in signatureHeader.split(separator: " ") where candidate.hasPrefix("v1,") {
            if Digest.constantTimeEqual(Array(candidate.utf8), expected) { return }
        }
        throw VerificationError(.noMatchingSignature, "no v1 signature in webhook-signature matches the body")
    }
}

/// A signing set-up problem (bad secret encoding); safe to log.
public struct SigningError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
