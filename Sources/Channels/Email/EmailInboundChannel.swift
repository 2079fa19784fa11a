import Foundation
import SwitchboardCore

/// An email source's push intake: `POST /v1/inbound/mime/{source}`, where a mail server hands over one
/// raw RFC 5322 message. Malformed MIME is stored with warnings, never refused; the answer (202, once
/// committed) says how it was threaded and what was odd about it.
public struct EmailInboundChannel: InboundChannel {
    let normalizer: EmailNormalizer
    let signature: RequestSignature
    let now: @Sendable () -> Date

    /// - Parameter now: the clock a message's receipt is stamped with.
    public init(normalizer: EmailNormalizer, signature: RequestSignature, now: @escaping @Sendable () -> Date = { Date() }) {
        self.normalizer = normalizer
        self.signature = signature
        self.now = now
    }

    public static var path: String { "mime" }
    public static var sourceKind: String { "email" }
    public static var methods: [InboundRequest.Endpoint: [String]] { [.messages: ["POST"]] }
    public static var mediaTypes: [String]? { ["message/rfc822", "application/octet-stream"] }
    public var verifiesRequests: Bool { signature.isRequired }
    /// A whole message may be larger than a JSON request: the source's `max_message_bytes`.
    public var maxBodyBytes: Int? { normalizer.source.maxMessageBytes }
    /// The source's `attachments` limits, or limits that follow its `max_message_bytes`.
    public var attachmentPolicy: AttachmentPolicy { normalizer.source.attachmentPolicy }

    public func verify(_ request: InboundRequest) -> InboundRefusal? {
        signature.rejection(request)
    }

    public func read(_ request: InboundRequest) throws(SwitchboardError) -> InboundContent {
        guard !request.body.isEmpty else { throw SwitchboardError(.invalidRequest, "request body is empty; expected an RFC 5322 message") }
        // Intake makes the same replacement; made here too so the answer carries its warning.
        return .messages([normalizer.inbound(from: request.body, receivedAt: now()).replacingDisallowedControls()])
    }

    /// `{"message_id", "conversation_id", "duplicate", "threaded_by", "warnings", "auto_reply_suppressed"?}`.
    public func acknowledgement(_ receipt: InboundReceipt) -> InboundAcknowledgement {
        guard case let .accepted(accepted) = receipt, let first = accepted.first else { return .json("{}") }
        let result = first.result
        var object = JSONObjectWriter()
        object.string("auto_reply_suppressed", result.autoReplySuppressed)
        object.string("conversation_id", result.conversationID)
        object.bool("duplicate", result.duplicate)
        object.string("message_id", result.messageID)
        object.string("threaded_by", result.threadedBy.rawValue)
        object.strings("warnings", first.message.warnings)
        return .json(object.finish())
    }
}
