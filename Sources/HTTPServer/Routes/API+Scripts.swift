import Foundation
import Hummingbird
import Digests
import Pipeline
import Replies
import SwitchboardCore

/// The reply scripts an agent can pick, and a reply's preview before it is sent.
extension API {
    struct ScriptView: Encodable {
        struct Variable: Encodable {
            var name: String
            var required: Bool
            var usedBy: [String]
        }
        var id: String
        var languages: [String]
        var channels: [String]
        /// What the agent fills in; the gateway's own (`customer.*`, `sla.*` …) are left out.
        var variables: [Variable]
        /// What the gateway fills in itself.
        var gatewayVariables: [String]
    }

    /// `GET /v1/scripts`: every script with its languages, channel variants and the variables an agent gives.
    func listScripts() throws -> Response {
        let scripts = rules.current.scripts.catalogue.map { script in
            let (gateway, agent) = script.variables.reduce(into: ([String](), [ScriptView.Variable]())) { split, variable in
                if ReplyContext.isFilledByGateway(variable.name) {
                    split.0.append(variable.name)
                } else {
                    split.1.append(ScriptView.Variable(name: variable.name, required: variable.required, usedBy: variable.usedBy))
                }
            }
            return ScriptView(id: script.id, languages: script.languages, channels: script.channels, variables: agent, gatewayVariables: gateway)
        }
        return try JSONBody.response(["scripts": scripts])
    }

    struct PreviewView: Encodable {
        struct SMS: Encodable {
            var segments: Int
            var encoding: String
            /// Septets (GSM-7) or UTF-16 units (UCS-2).
            var units: Int
        }
        struct Problem: Encodable {
            var code: String
            var message: String
        }
        struct Approval: Encodable {
            var required: Bool
            var amount: String
            var reason: String
        }
        var ok: Bool
        var text: String?
        var channel: String
        var sms: SMS?
        var problems: [Problem]
        var approval: Approval?
    }

    /// `POST /v1/replies/preview`: the body of `POST /v1/outbox`, rendered and checked as sending would,
    /// with nothing queued: the text, its SMS segments, and every verdict (200 even when it would be refused).
    func previewReply(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        guard let identity = context.identity else { throw APIError.unauthorized }
        try request.requireMediaType(["application/json"])
        let body = try await request.collectBody(limit: configuration.maxBodyBytes)
        let reply = try Self.decodeReply(body)
        if identity.isScoped {
            guard let conversation = try await store.conversation(id: reply.conversationID), identity.covers(conversation) else {
                throw APIError.notFound("conversation '\(reply.conversationID.excerptForMessage())' does not exist")
            }
        }
        let preview: ReplyPreview
        do {
            preview = try await composer.preview(ReplyComposer.Request(
                conversationID: reply.conversationID, script: reply.script, variables: reply.variables, text: reply.text,
                author: identity.id, authorName: identity.name, idempotencyKey: nil, fingerprint: nil, attachmentIDs: reply.attachmentIDs))
        } catch let error as SwitchboardError where error.code == .notFound {
            throw APIError.notFound(error.message)
        }
        return try JSONBody.response(PreviewView(
            ok: preview.isSendable, text: preview.text, channel: preview.channel.rawValue,
            sms: preview.sms.map { PreviewView.SMS(segments: $0.count, encoding: $0.encoding.rawValue, units: $0.units) },
            problems: preview.problems.map { PreviewView.Problem(code: $0.code, message: $0.message) },
            approval: preview.approval.map { PreviewView.Approval(required: true, amount: $0.amount, reason: $0.reason.rawValue) }))
    }
}
