import Foundation
import Signing
import SwitchboardCore

/// How a webhook or email source proves its requests are its own.
public enum RequestSignature: Sendable {
    /// No signature (for trusted networks and local development only).
    case none
    /// Standard Webhooks headers with a `whsec_` secret and a replay window.
    case standardWebhooks(StandardWebhooks, tolerance: Duration)
    /// `sha256=<hex>` HMAC of the raw body in the named header.
    case hmacSHA256(HMACSignature, header: String)

    /// Whether requests must carry a proof.
    public var isRequired: Bool {
        if case .none = self { return false }
        return true
    }

    /// Nil when the request is genuine; otherwise why it is not (safe to log: no secret, no body).
    public func rejection(_ request: InboundRequest, now: Date = Date()) -> InboundRefusal? {
        switch self {
        case .none:
            return nil
        case let .standardWebhooks(verifier, tolerance):
            do {
                try verifier.verify(
                    id: request.headers["webhook-id"], timestamp: request.headers["webhook-timestamp"],
                    signatureHeader: request.headers["webhook-signature"], body: request.body, now: now, tolerance: tolerance.inSeconds)
                return nil
            } catch let error as StandardWebhooks.VerificationError {
                return InboundRefusal(error.description)
            } catch {
                return InboundRefusal("signature check failed")
            }
        case let .hmacSHA256(signature, header):
            guard let value = request.headers[header.lowercased()] else {
                return InboundRefusal("header \(header) with the body's HMAC-SHA256 is missing")
            }
            return signature.isValid(header: value, body: request.body) ? nil : InboundRefusal("header \(header) does not match the body's HMAC-SHA256")
        }
    }
}
