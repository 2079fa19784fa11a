import Foundation
import SwitchboardCore

/// A webhook source's inbound side: `POST /v1/inbound/webhook/{source}` with a JSON object
/// `{"from", "subject"?, "text", "external_id"?}`, optionally signed, answered 202 with the ids once
/// committed.
public struct WebhookInboundChannel: InboundChannel {
    /// The JSON a webhook source posts.
    struct Posted: Decodable {
        var from: String
        var subject: String?
        var text: String
        var externalID: String?

        enum CodingKeys: String, CodingKey {
            case from, subject, text
            case externalID = "external_id"
        }
    }

    let sourceID: String
    let signature: RequestSignature
    let now: @Sendable () -> Date

    /// - Parameter now: the clock a message's receipt is stamped with.
    public init(sourceID: String, signature: RequestSignature, now: @escaping @Sendable () -> Date = { Date() }) {
        self.sourceID = sourceID
        self.signature = signature
        self.now = now
    }

    public static var path: String { "webhook" }
    public static var sourceKind: String { "webhook" }
    public static var methods: [InboundRequest.Endpoint: [String]] { [.messages: ["POST"]] }
    public static var mediaTypes: [String]? { ["application/json"] }
    public var verifiesRequests: Bool { signature.isRequired }

    public func verify(_ request: InboundRequest) -> InboundRefusal? {
        signature.rejection(request)
    }

    public func read(_ request: InboundRequest) throws(SwitchboardError) -> InboundContent {
        let posted = try Self.decode(request.body)
        return .messages([
            InboundMessage(
                channel: .webhook, source: sourceID, externalID: posted.externalID, sender: posted.from,
                recipients: [], subject: posted.subject, text: posted.text, receivedAt: now(), rawPayload: request.body),
        ])
    }

    /// `{"conversation_id", "duplicate", "message_id"}`, written directly: every inbound request pays for it.
    public func acknowledgement(_ receipt: InboundReceipt) -> InboundAcknowledgement {
        guard case let .accepted(accepted) = receipt, let result = accepted.first?.result else {
            return .json("{}")
        }
        var object = JSONObjectWriter()
        object.string("conversation_id", result.conversationID)
        object.bool("duplicate", result.duplicate)
        object.string("message_id", result.messageID)
        return .json(object.finish())
    }

    /// One decoder for every request; it holds no per-call state.
    private static let decoder = JSONDecoder()

    /// Decodes and checks a posted message, naming the field that is wrong.
    static func decode(_ body: Data) throws(SwitchboardError) -> Posted {
        func invalid(_ message: String) -> SwitchboardError { SwitchboardError(.invalidRequest, message) }
        guard !body.isEmpty else { throw invalid("request body is empty; expected a JSON object") }
        guard !JSONDepth.exceeds(body, limit: 32) else { throw invalid("body nests objects or arrays deeper than 32 levels") }
        let posted: Posted
        do {
            posted = try Self.decoder.decode(Posted.self, from: body)
        } catch let DecodingError.keyNotFound(key, _) {
            throw invalid("field '\(key.stringValue)' is required")
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw invalid(field.isEmpty ? "body must be a JSON object" : "field '\(field)' must be a string")
        } catch let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw invalid("field '\(field)' must not be null")
        } catch {
            throw invalid("body is not valid JSON in UTF-8")
        }
        try SwitchboardError.refuseControls(["from": posted.from, "subject": posted.subject, "text": posted.text, "external_id": posted.externalID])
        let from = posted.from.trimmingWhitespace()
        guard !from.isEmpty else { throw invalid("field 'from' must not be empty") }
        guard from.count <= 320, !from.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw invalid("field 'from' must be at most 320 characters with no control characters")
        }
        guard !posted.text.trimmingWhitespace().isEmpty else { throw invalid("field 'text' must not be empty") }
        if let externalID = posted.externalID, externalID.isEmpty || externalID.count > 256 {
            throw invalid("field 'external_id' must be 1 to 256 characters")
        }
        var cleaned = posted
        cleaned.from = from
        return cleaned
    }
}
