import Foundation
import HTTPTypes
import Signing

/// How an inbound source proves its requests are its own.
public enum InboundVerifier: Sendable {
    /// No signature (for trusted networks and local development only).
    case none
    /// Standard Webhooks headers with a `whsec_` secret and a replay window.
    case standardWebhooks(StandardWebhooks, tolerance: TimeInterval)
    /// `sha256=<hex>` HMAC of the raw body in the named header.
    case hmacSHA256(HMACSignature, header: String)

    /// Nil when the request is genuine; otherwise why it is not (safe to log: no secret, no body).
    func rejection(headers: HTTPFields, body: Data, now: Date = Date()) -> String? {
        switch self {
        case .none:
            return nil
        case let .standardWebhooks(verifier, tolerance):
            do {
                try verifier.verify(
                    id: headers[HTTPField.Name("webhook-id")!], timestamp: headers[HTTPField.Name("webhook-timestamp")!],
                    signatureHeader: headers[HTTPField.Name("webhook-signature")!], body: body, now: now, tolerance: tolerance)
                return nil
            } catch let error as StandardWebhooks.VerificationError {
                return error.description
            } catch {
                return "signature check failed"
            }
        case let .hmacSHA256(signature, header):
            guard let name = HTTPField.Name(header), let value = headers[name] else {
                return "header \(header) with the body's HMAC-SHA256 is missing"
            }
            return signature.isValid(header: value, body: body) ? nil : "header \(header) does not match the body's HMAC-SHA256"
        }
    }
}
