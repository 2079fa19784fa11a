import Foundation
import SwitchboardCore

/// A webhook source's inbound side: `POST /v1/inbound/webhook/{source}` with a JSON object
/// `{"from", "subject"?, "text", "external_id"?, "attachments"?}`, optionally signed, answered 202 with the
/// ids once committed.
///
/// Each of `attachments` is `{"filename"?, "content_type"?, "data_base64"}` (the bytes, in standard base64
/// with padding) or `{"url", "filename"?, "content_type"?}`, a file fetched before the commit, only from a
/// host in the source's `fetch_hosts` and never through a redirect.
public struct WebhookInboundChannel: InboundChannel {
    /// The JSON a webhook source posts.
    struct Posted: Decodable {
        var from: String
        var subject: String?
        /// Optional when the message brings files (a photo sent on its own), required otherwise.
        var text: String?
        var externalID: String?
        var attachments: [PostedAttachment]?

        enum CodingKeys: String, CodingKey {
            case from, subject, text, attachments
            case externalID = "external_id"
        }
    }

    /// One item of `attachments`, before it is checked.
    struct PostedAttachment: Decodable {
        var filename: String?
        var contentType: String?
        var dataBase64: String?
        var url: String?

        enum CodingKeys: String, CodingKey {
            case filename, url
            case contentType = "content_type"
            case dataBase64 = "data_base64"
        }
    }

    /// Most items `attachments` may hold; a request with more is refused whole, before the source's own
    /// `max_count` (which keeps the message and refuses the extra files) is applied.
    static let maximumPostedAttachments = 100

    let sourceID: String
    let signature: RequestSignature
    public let attachmentPolicy: AttachmentPolicy
    public let maxBodyBytes: Int?
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - attachmentPolicy: the source's limits, and the hosts a posted `{url}` may name.
    ///   - maxBodyBytes: the source's `max_body_bytes`; nil for the server's.
    ///   - now: the clock a message's receipt is stamped with.
    public init(
        sourceID: String, signature: RequestSignature, attachmentPolicy: AttachmentPolicy = .standard, maxBodyBytes: Int? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.sourceID = sourceID
        self.signature = signature
        self.attachmentPolicy = attachmentPolicy
        self.maxBodyBytes = maxBodyBytes
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
        let attachments = try Self.attachments(posted.attachments ?? [], policy: attachmentPolicy, sourceID: sourceID)
        return .messages([
            InboundMessage(
                channel: .webhook, source: sourceID, externalID: posted.externalID, sender: posted.from,
                recipients: [], subject: posted.subject, text: posted.text ?? "", receivedAt: now(), rawPayload: request.body,
                attachments: attachments),
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
        } catch let DecodingError.typeMismatch(type, context) {
            let field = Self.fieldName(context.codingPath)
            guard !field.isEmpty else { throw invalid("body must be a JSON object") }
            let expected = type == String.self ? "a string" : context.codingPath.last?.intValue != nil ? "an object" : "a list"
            throw invalid("field '\(field)' must be \(expected)")
        } catch let DecodingError.valueNotFound(_, context) {
            throw invalid("field '\(Self.fieldName(context.codingPath))' must not be null")
        } catch {
            throw invalid("body is not valid JSON in UTF-8")
        }
        try SwitchboardError.refuseControls(["from": posted.from, "subject": posted.subject, "text": posted.text, "external_id": posted.externalID])
        let from = posted.from.trimmingWhitespace()
        guard !from.isEmpty else { throw invalid("field 'from' must not be empty") }
        guard from.count <= 320, !from.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw invalid("field 'from' must be at most 320 characters with no control characters")
        }
        if posted.attachments?.isEmpty ?? true {
            guard let text = posted.text else { throw invalid("field 'text' is required") }
            guard !text.trimmingWhitespace().isEmpty else { throw invalid("field 'text' must not be empty") }
        }
        if let externalID = posted.externalID, externalID.isEmpty || externalID.count > 256 {
            throw invalid("field 'external_id' must be 1 to 256 characters")
        }
        if let attachments = posted.attachments, attachments.count > maximumPostedAttachments {
            throw invalid("field 'attachments' holds \(attachments.count) files; at most \(maximumPostedAttachments) are taken per message")
        }
        var cleaned = posted
        cleaned.from = from
        return cleaned
    }

    /// A decoding path as the poster wrote it: `attachments[0].url`.
    static func fieldName(_ path: [any CodingKey]) -> String {
        path.reduce(into: "") { name, key in
            if let index = key.intValue { name += "[\(index)]" } else { name += (name.isEmpty ? "" : ".") + key.stringValue }
        }
    }

    /// The posted files as attachments: bytes decoded, URLs checked against the source's hosts and left
    /// to fetch. Limits are not applied here: a file over one is refused later with its message kept.
    /// - Throws: `invalid_request` naming the item and field that is malformed; `invalid_attachment` for a
    ///   URL whose host the source does not allow.
    static func attachments(_ posted: [PostedAttachment], policy: AttachmentPolicy, sourceID: String) throws(SwitchboardError) -> [MessageAttachment] {
        var attachments: [MessageAttachment] = []
        attachments.reserveCapacity(posted.count)
        for (index, item) in posted.enumerated() {
            let field = "attachments[\(index)]"
            func invalid(_ message: String) -> SwitchboardError { SwitchboardError(.invalidRequest, message) }
            if let filename = item.filename {
                guard !filename.isEmpty, filename.count <= 255 else { throw invalid("\(field).filename must be 1 to 255 characters") }
                guard !filename.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    throw invalid("\(field).filename must not contain control characters")
                }
            }
            if let contentType = item.contentType, !isMediaType(contentType) {
                throw invalid("\(field).content_type must be a media type such as image/png")
            }
            let contentType = item.contentType?.lowercased() ?? "application/octet-stream"
            switch (item.dataBase64, item.url) {
            case let (data?, nil):
                // Standard alphabet with padding, nothing else: no line breaks, no URL-safe alphabet.
                guard let bytes = Data(base64Encoded: data) else {
                    throw invalid("\(field).data_base64 is not valid base64 (standard alphabet, padded, no line breaks)")
                }
                attachments.append(MessageAttachment(name: item.filename, contentType: contentType, size: bytes.count, content: bytes))
            case let (nil, url?):
                guard url.count <= 2048, let endpoint = AttachmentPolicy.endpoint(of: url) else {
                    throw invalid("\(field).url must be an http:// or https:// URL of at most 2048 characters, without credentials")
                }
                guard policy.allowsFetch(from: url) else {
                    let host = endpoint.port == endpoint.defaultPort ? endpoint.host : "\(endpoint.host):\(endpoint.port)"
                    throw SwitchboardError(.invalidAttachment, "\(field).url: host '\(host)' is not in source '\(sourceID)' fetch_hosts")
                }
                // Size 0 until fetched: the fetch brings the bytes, then the limits apply.
                attachments.append(MessageAttachment(name: item.filename, contentType: contentType, size: 0, remote: RemoteAttachment(url: url)))
            default:
                throw invalid("\(field) must have exactly one of data_base64 or url")
            }
        }
        return attachments
    }

    /// `type/subtype` with optional parameters, in printable ASCII, at most 255 characters.
    static func isMediaType(_ text: String) -> Bool {
        guard text.count <= 255, text.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else { return false }
        let essence = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0].trimmingCharacters(in: .whitespaces)
        let parts = essence.split(separator: "/", omittingEmptySubsequences: false)
        let token: (Substring) -> Bool = { part in
            !part.isEmpty && part.allSatisfy { $0.isLetter || $0.isNumber || "!#$&-^_.+".contains($0) }
        }
        return parts.count == 2 && token(parts[0]) && token(parts[1])
    }
}
