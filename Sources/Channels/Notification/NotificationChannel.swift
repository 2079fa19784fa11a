import Foundation
import Logging
import Signing
import SwitchboardCore

/// Delivers notifications (SLA warnings and breaches, escalations, assignments, resolutions) to their
/// targets as Standard Webhooks. The payload was fixed when the event was recorded; each attempt signs it
/// afresh under the entry's id, which stays the same across retries.
public struct NotificationChannel: OutboundChannel {
    public let kind: ChannelKind = .notification
    private let endpoints: [String: (endpoint: NotificationEndpoint, signer: StandardWebhooks)]
    private let post: SignedWebhookPost

    /// - Parameter endpoints: by target id.
    /// - Throws: ``SigningError`` when a secret is not a valid `whsec_` key.
    public init(endpoints: [String: NotificationEndpoint], timeout: Duration = WebhookChannel.defaultTimeout, logger: Logger) throws {
        var prepared: [String: (NotificationEndpoint, StandardWebhooks)] = [:]
        for (id, endpoint) in endpoints {
            prepared[id] = (endpoint, try StandardWebhooks(secret: endpoint.secret))
        }
        self.endpoints = prepared
        self.post = SignedWebhookPost(timeout: timeout, logger: logger)
    }

    public func deliver(_ entry: OutboxEntry, conversation: Conversation, replyingTo: Message?) async -> DeliveryOutcome {
        guard let (endpoint, signer) = endpoints[entry.recipient] else {
            // A target removed from the configuration since the entry was queued: an operator can retry it
            // once the target is back.
            return .failed(error: "notification target '\(entry.recipient)' is not configured")
        }
        return await post.deliver(Data(entry.body.utf8), id: entry.id, to: endpoint.url, signer: signer)
    }
}
