import Foundation
import Hummingbird
import SwitchboardCore

extension API {
    struct AcceptedMail: Encodable {
        var messageId: String
        var conversationId: String
        var duplicate: Bool
        var threadedBy: String
        var warnings: [String]
        var autoReplySuppressed: String?
    }

    /// `POST /v1/inbound/mime/{source}`: a mail server hands over one raw RFC 5322 message. Answered
    /// 202 only after the message is committed; malformed MIME is stored with warnings, not refused.
    func receiveMIME(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        let sourceID = context.parameters.get("source") ?? ""
        guard let source = configuration.sources[sourceID], let readMIME = source.readMIME else {
            throw APIError.notFound("no email source named '\(sourceID)' is configured")
        }
        try request.requireMediaType(["message/rfc822", "application/octet-stream"])
        try admitBeforeBody(source, context: context)
        let body = try await request.collectBody(limit: source.maxMessageBytes ?? configuration.maxBodyBytes)
        try checkSignature(source, request: request, body: body, context: context)
        try admitAfterProof(source, context: context)
        guard !body.isEmpty else { throw APIError.badRequest("request body is empty; expected an RFC 5322 message") }
        // Intake makes the same replacement; done here too so the answer carries its warning.
        let inbound = readMIME(body).replacingDisallowedControls()
        let result = try await commit(inbound, context: context)
        return try JSONBody.response(
            AcceptedMail(
                messageId: result.messageID, conversationId: result.conversationID, duplicate: result.duplicate,
                threadedBy: result.threadedBy.rawValue, warnings: inbound.warnings, autoReplySuppressed: result.autoReplySuppressed),
            status: .accepted)
    }
}
