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
        /// The reply's files, inline: the receiver needs no token to fetch them back.
        var attachments: [File]?

        enum CodingKeys: String, CodingKey {
            case type, id, source, to, text, script, automatic, attachments
            case conversationID = "conversation_id"
            case createdAt = "created_at"
            case surveyURL = "survey_url"
        }
    }

    /// One file of a reply, in the shape inbound webhooks send theirs.
    struct File: Codable {
        var id: String?
        var filename: String?
        var contentType: String
        var size: Int
        var sha256: String?
        var dataBase64: String

        enum CodingKeys: String, CodingKey {
            case id, filename, size, sha256
            case contentType = "content_type"
            case dataBase64 = "data_base64"
        }
    }

    public func deliver(_ entry: OutboxEntry, conversation: Conversation, replyingTo: Message?) async -> DeliveryOutcome {
        await deliver(ClaimedDelivery(entry: entry, conversation: conversation, replyingTo: replyingTo), conversation: conversation)
    }

    /// Webhook receivers take files: they come in the same JSON, base64-encoded.
    public func validateAttachments(count: Int, source: String) throws(SwitchboardError) {}

    public func deliver(_ delivery: ClaimedDelivery, conversation: Conversation) async -> DeliveryOutcome {
        let entry = delivery.entry
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
                createdAt: entry.createdAt, surveyURL: delivery.surveyURL,
                attachments: delivery.attachments.isEmpty ? nil : delivery.attachments.map { file in
                    File(
                        id: file.id, filename: file.name, contentType: file.contentType, size: file.content?.count ?? file.size,
                        sha256: file.sha256, dataBase64: (file.content ?? Data()).base64EncodedString())
                }))
        } catch {
            return .failed(error: "cannot encode the reply as JSON")
        }
        return await post.deliver(body, id: entry.id, to: target.replyURL, signer: signer)
    }
}
