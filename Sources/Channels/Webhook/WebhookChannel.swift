import Foundation
import Logging
import Signing
import SwitchboardCore

/// Delivers replies to a source's own endpoint as Standard Webhooks: JSON signed with
/// `webhook-id` (the outbox id, stable across retries so receivers can drop duplicates),
/// `webhook-timestamp` and `webhook-signature`.
public struct WebhookChannel: OutboundChannel {
    public let kind: ChannelKind = .webhook
    private let targets: [String: (target: WebhookTarget, signer: StandardWebhooks)]
    private let post: SignedWebhookPost

    /// How long one delivery may take, from connecting to the receiver's last byte.
    public static let defaultTimeout: Duration = .seconds(10)

    /// - Throws: ``SigningError`` when a secret is not a valid `whsec_` key.
    public init(targets: [String: WebhookTarget], timeout: Duration = Self.defaultTimeout, logger: Logger) throws {
        var prepared: [String: (WebhookTarget, StandardWebhooks)] = [:]
        for (source, target) in targets {
            prepared[source] = (target, try StandardWebhooks(secret: target.secret))
        }
        self.targets = prepared
        self.post = SignedWebhookPost(timeout: timeout, logger: logger)
    }

    /// The JSON a receiver gets.
    struct Payload: Codable {
        var type: String
        var id: String
        var conversationID: String
        var source: String
        var to: String
        var text: String
        var script: String?
        var automatic: Bool
        var createdAt: Date
        /// A survey's question: where the receiving system posts the customer's score.
        var surveyURL: String?

        enum CodingKeys: String, CodingKey {
            case type, id, source, to, text, script, automatic
            case conversationID = "conversation_id"
            case createdAt = "created_at"
            case surveyURL = "survey_url"
        }
    }

    public func deliver(_ entry: OutboxEntry, conversation: Conversation, replyingTo: Message?) async -> DeliveryOutcome {
        await deliver(entry, conversation: conversation, replyingTo: replyingTo, surveyURL: nil)
    }

    public func deliver(_ entry: OutboxEntry, conversation: Conversation, replyingTo: Message?, surveyURL: String?) async -> DeliveryOutcome {
        guard let (target, signer) = targets[entry.source] else {
            return .failed(error: "webhook source '\(entry.source)' has no reply_url configured")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let body: Data
        do {
            body = try encoder.encode(Payload(
                type: "reply", id: entry.id, conversationID: entry.conversationID, source: entry.source,
                to: entry.recipient, text: entry.body, script: entry.script, automatic: entry.automatic,
                createdAt: entry.createdAt, surveyURL: surveyURL))
        } catch {
            return .failed(error: "cannot encode the reply as JSON")
        }
        return await post.deliver(body, id: entry.id, to: target.replyURL, signer: signer)
    }
}
