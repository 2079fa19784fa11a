import Curl
import Foundation
import Logging
import Signing
import SwitchboardCore

/// One Standard Webhooks delivery: a JSON body POSTed with `webhook-id` (the outbox id, stable across
/// retries so receivers can drop duplicates), `webhook-timestamp` and `webhook-signature`, and the
/// receiver's answer mapped to a delivery outcome. Replies to webhook sources and notifications share it.
struct SignedWebhookPost: Sendable {
    private let client = CurlHTTPClient()
    let timeout: Duration
    let logger: Logger

    func deliver(_ body: Data, id: String, to url: String, signer: StandardWebhooks) async -> DeliveryOutcome {
        let timestamp = Int(Date().timeIntervalSince1970)
        var headers = signer.headers(id: id, timestamp: timestamp, body: body)
        headers.append(("content-type", "application/json"))
        headers.append(("user-agent", "switchboard"))
        let request = HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: timeout)
        do {
            let response = try await client.perform(request)
            return Self.outcome(status: response.status, retryAfter: response.headers["retry-after"])
        } catch {
            logger.debug("webhook delivery failed in transport", metadata: ["outbox.id": "\(id)", "error": "\(error)"])
            return .retry(error: "\(error)", after: nil)
        }
    }

    /// Maps an HTTP status to an outcome: 2xx delivered; 408, 425, 429 and 5xx worth retrying; other
    /// codes a refusal that retrying will not change.
    static func outcome(status: Int, retryAfter: String?) -> DeliveryOutcome {
        switch status {
        case 200..<300:
            return .delivered(detail: "HTTP \(status)")
        case 408, 425, 429, 500..<600:
            return .retry(error: "receiver answered HTTP \(status)", after: retryAfter.flatMap { RetryAfter.seconds($0) })
        default:
            return .failed(error: "receiver answered HTTP \(status)")
        }
    }
}
