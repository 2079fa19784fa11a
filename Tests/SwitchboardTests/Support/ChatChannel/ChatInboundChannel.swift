import Foundation
import SwitchboardCore

/// `POST /v1/inbound/chat/{source}`: plain text, the widget's token in `X-Widget-Token` and the user in
/// `X-Chat-User`; answered `202` with `queued <conversation id>` in plain text.
struct ChatInboundChannel: InboundChannel {
    let source: ChatSource

    static var path: String { "chat" }
    static var sourceKind: String { "chat" }
    static var methods: [InboundRequest.Endpoint: [String]] { [.messages: ["POST"]] }
    static var mediaTypes: [String]? { ["text/plain"] }
    var verifiesRequests: Bool { true }
    var maxBodyBytes: Int? { 2048 }

    func verify(_ request: InboundRequest) -> InboundRefusal? {
        request.headers["x-widget-token"] == source.widgetToken ? nil : InboundRefusal("X-Widget-Token is missing or wrong")
    }

    func read(_ request: InboundRequest) throws(SwitchboardError) -> InboundContent {
        guard let user = request.headers["x-chat-user"], !user.isEmpty else {
            throw SwitchboardError(.invalidRequest, "header X-Chat-User is missing")
        }
        guard let text = String(data: request.body, encoding: .utf8), !text.isEmpty else {
            throw SwitchboardError(.invalidRequest, "body must be UTF-8 text")
        }
        return .messages([InboundMessage(channel: "chat", source: source.id, sender: user, text: text, rawPayload: request.body)])
    }

    func acknowledgement(_ receipt: InboundReceipt) -> InboundAcknowledgement {
        guard case let .accepted(accepted) = receipt, let result = accepted.first?.result else {
            return InboundAcknowledgement(status: 202, contentType: "text/plain", body: "queued")
        }
        return InboundAcknowledgement(status: 202, contentType: "text/plain", body: "queued \(result.conversationID)")
    }
}
