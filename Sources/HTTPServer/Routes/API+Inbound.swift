import Foundation
import Hummingbird
import Metrics
import SwitchboardCore

extension API {
    /// The JSON a webhook source posts.
    struct WebhookMessage: Decodable {
        var from: String
        var subject: String?
        var text: String
        var externalID: String?

        enum CodingKeys: String, CodingKey {
            case from, subject, text
            case externalID = "external_id"
        }
    }

    /// The answer to an accepted webhook message, `{"conversation_id", "duplicate", "message_id"}`: written
    /// directly, since every inbound request pays for it.
    static func accepted(_ result: IngestResult) -> String {
        var object = JSONObjectWriter()
        object.string("conversation_id", result.conversationID)
        object.bool("duplicate", result.duplicate)
        object.string("message_id", result.messageID)
        return object.finish()
    }

    func receiveWebhook(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        let sourceID = context.parameters.get("source") ?? ""
        guard let source = configuration.sources[sourceID], source.channel == .webhook else {
            throw APIError.notFound("no webhook source named '\(sourceID)' is configured")
        }
        try request.requireMediaType(["application/json"])
        try admitBeforeBody(source, context: context)
        let body = try await request.collectBody(limit: configuration.maxBodyBytes)
        try checkSignature(source, request: request, body: body, context: context)
        try admitAfterProof(source, context: context)
        let message = try Self.decodeWebhookMessage(body)
        let inbound = InboundMessage(
            channel: .webhook, source: source.id, externalID: message.externalID, sender: message.from,
            recipients: [], subject: message.subject, text: message.text, receivedAt: Date(), rawPayload: body)
        let result = try await commit(inbound, context: context)
        return JSONBody.response(json: Self.accepted(result), status: .accepted)
    }

    /// Admission before the body is read. A source that does not prove its requests spends its rate budget
    /// here (429 before the body). One that does (a signature, a provider's secret) spends it only in
    /// ``admitAfterProof(_:context:)``, so a forger who knows its name cannot use up its budget and lock
    /// the real sender out; here only the client's budget of failed proofs is checked.
    func admitBeforeBody(_ source: InboundSource, context: SwitchboardRequestContext) throws {
        guard source.verifiesRequests else { return try admit(source, context: context) }
        guard let error = inboundFailures.refusal(
            client: context.clientAddress, failed: "signature checks", log: inboundRefusalLog, logger: context.logger,
            "inbound client refused unchecked: too many failed signatures", metadata: ["source.id": "\(source.id)"])
        else { return }
        countRejection(source, reason: "client_failures")
        throw error
    }

    /// Admission once a proving source's request has passed its proof: it spends the source's budget now.
    func admitAfterProof(_ source: InboundSource, context: SwitchboardRequestContext) throws {
        if source.verifiesRequests { try admit(source, context: context) }
    }

    /// Refuses a request over its source's rate with 429 and `Retry-After`.
    private func admit(_ source: InboundSource, context: SwitchboardRequestContext) throws {
        guard let wait = configuration.rateLimiter.admit(source: source.id) else { return }
        countRejection(source, reason: "rate_limited")
        context.logger.notice("inbound request over its source's rate", metadata: ["source.id": "\(source.id)"])
        let seconds = max(1, Int(wait.rounded(.up)))
        throw APIError(
            .tooManyRequests, code: "rate_limited", "source '\(source.id)' is over its request rate; retry after \(seconds)s",
            headers: [.retryAfter: String(seconds)])
    }

    /// Refuses a request whose signature the source requires and does not hold, counting and logging why.
    func checkSignature(_ source: InboundSource, request: Request, body: Data, context: SwitchboardRequestContext) throws {
        if let reason = source.verifier.rejection(headers: request.headers, body: body) {
            throw signatureRefused(source, reason: reason, status: .unauthorized, context: context)
        }
    }

    /// Counts a request that failed its source's proof (signature, secret) against its client's failure
    /// budget, logs why (at most once a minute per client), and returns the error to answer. The reason
    /// names what was wrong, never the secret or the expected value.
    func signatureRefused(
        _ source: InboundSource, reason: String, status: HTTPResponse.Status, context: SwitchboardRequestContext
    ) -> APIError {
        let client = context.clientAddress
        inboundFailures.charge(client: client)
        countRejection(source, reason: "signature")
        if let suppressed = inboundRefusalLog.admit(client: client) {
            context.logger.warning("inbound signature rejected", metadata: [
                "source.id": "\(source.id)", "reason": "\(reason)", "client.address": "\(client)", "refusals.unlogged": "\(suppressed)",
            ])
        }
        var error = APIError(status, code: "invalid_signature", "signature check failed: \(reason)")
        error.alreadyLogged = true
        return error
    }

    /// Every refused inbound request is counted by source and reason.
    func countRejection(_ source: InboundSource, reason: String) {
        Counter(label: "switchboard_inbound_rejections_total", dimensions: [("source", source.id), ("reason", reason)], factory: metricsFactory).increment()
    }

    /// Commits through intake; a failed commit answers 503 so the sender retries, never 2xx.
    func commit(_ inbound: InboundMessage, context: SwitchboardRequestContext) async throws -> IngestResult {
        do {
            return try await intake.accept(inbound)
        } catch {
            context.logger.error("inbound message not committed", metadata: ["source.id": "\(inbound.source)", "error.type": "\(type(of: error))", "error": "\(Self.safeDescription(error))"])
            Counter(label: "switchboard_ingest_failures_total", dimensions: [("channel", inbound.channel.rawValue)], factory: metricsFactory).increment()
            throw APIError.storageUnavailable()
        }
    }

    /// One decoder for every webhook request; it holds no per-call state.
    private static let decoder = JSONDecoder()

    /// Decodes and checks a webhook message, naming the field that is wrong.
    static func decodeWebhookMessage(_ body: Data) throws -> WebhookMessage {
        guard !body.isEmpty else { throw APIError.badRequest("request body is empty; expected a JSON object") }
        guard !JSONDepth.exceeds(body, limit: 32) else { throw APIError.badRequest("body nests objects or arrays deeper than 32 levels") }
        let message: WebhookMessage
        do {
            message = try Self.decoder.decode(WebhookMessage.self, from: body)
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.badRequest("field '\(key.stringValue)' is required")
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError.badRequest(field.isEmpty ? "body must be a JSON object" : "field '\(field)' must be a string")
        } catch let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError.badRequest("field '\(field)' must not be null")
        } catch {
            throw APIError.badRequest("body is not valid JSON in UTF-8")
        }
        try refuseControls(["from": message.from, "subject": message.subject, "text": message.text, "external_id": message.externalID])
        let from = message.from.trimmingWhitespace()
        guard !from.isEmpty else { throw APIError.badRequest("field 'from' must not be empty") }
        guard from.count <= 320, !from.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw APIError.badRequest("field 'from' must be at most 320 characters with no control characters")
        }
        guard !message.text.trimmingWhitespace().isEmpty else {
            throw APIError.badRequest("field 'text' must not be empty")
        }
        if let externalID = message.externalID, externalID.isEmpty || externalID.count > 256 {
            throw APIError.badRequest("field 'external_id' must be 1 to 256 characters")
        }
        var cleaned = message
        cleaned.from = from
        return cleaned
    }

    /// Refuses a field holding a C0 control other than tab, line feed and carriage return, naming the
    /// field and where. Stored text must be the text that was classified and acknowledged, and NUL ends a
    /// string in SQLite's and C's hands; refusing keeps that true without rewriting what the sender wrote.
    static func refuseControls(_ fields: KeyValuePairs<String, String?>) throws {
        for (field, value) in fields {
            guard let value, let (scalar, offset) = value.firstDisallowedControl else { continue }
            let code = "U+" + scalar.value.zeroPadded(4, radix: 16).uppercased()
            throw APIError(
                .badRequest, code: "control_character",
                "field '\(field)' holds the control character \(code) at character \(offset); only tab, line feed and carriage return are allowed")
        }
    }

    /// Storage errors can quote SQL; keep only the code.
    static func safeDescription(_ error: any Error) -> String {
        if let error = error as? SwitchboardError { return error.description }
        return String(describing: type(of: error))
    }
}
