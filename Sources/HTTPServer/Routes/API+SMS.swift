import Foundation
import Hummingbird
import Metrics
import SwitchboardCore

extension API {
    /// `GET|POST /v1/inbound/sms/{source}`: an SMS gateway hands over one inbound message (Kannel's
    /// `get-url`/`post-url`, a Twilio form post). Answered only after the commit, so a gateway that gets
    /// no 2xx delivers again, and its message id stores the retry once.
    func receiveSMS(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        let (source, reader, callback) = try await providerCallback(request, context: context)
        let inbound = try readCallback(source) { () throws(SwitchboardError) in try reader.inboundMessage(from: callback) }
        let result = try await commit(inbound, context: context)
        context.logger.debug("sms accepted", metadata: ["message.id": "\(result.messageID)", "message.duplicate": "\(result.duplicate)"])
        return acknowledgement(reader)
    }

    /// `GET|POST /v1/inbound/sms/{source}/report`: a delivery report or status callback for a reply.
    /// Reports for unknown entries are answered 200 too: refusing them would only make the gateway retry.
    func receiveSMSReport(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        let (source, reader, callback) = try await providerCallback(request, context: context)
        let report = try readCallback(source) { () throws(SwitchboardError) in try reader.deliveryReport(from: callback) }
        let outcome: DeliveryReportOutcome
        do {
            outcome = try await store.recordDeliveryReport(report)
        } catch {
            context.logger.error("delivery report not committed", metadata: ["source.id": "\(source.id)", "error": "\(Self.safeDescription(error))"])
            throw APIError.storageUnavailable()
        }
        let result: String
        switch outcome {
        case let .applied(status): result = status.rawValue
        case .unchanged: result = "unchanged"
        case .unknownEntry:
            result = "unknown_entry"
            context.logger.notice("delivery report for no known reply", metadata: [
                "source.id": "\(source.id)", "outbox.id": "\(report.outboxID ?? "-")", "sms.provider_message_id": "\(report.providerMessageID ?? "-")",
            ])
        }
        Counter(label: "switchboard_delivery_reports_total", dimensions: [("source", source.id), ("state", report.state.rawValue), ("result", result)], factory: metricsFactory).increment()
        return acknowledgement(reader)
    }

    /// The source, its reader and the request as plain values, once the provider proved it sent it.
    private func providerCallback(
        _ request: Request, context: SwitchboardRequestContext
    ) async throws -> (InboundSource, any CallbackReader, ProviderCallback) {
        let sourceID = context.parameters.get("source") ?? ""
        guard let source = configuration.sources[sourceID], let reader = source.callbacks else {
            throw APIError.notFound("no SMS source named '\(sourceID)' is configured")
        }
        try admitBeforeBody(source, context: context)
        let body = try await request.collectBody(limit: configuration.maxBodyBytes)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let callback = ProviderCallback(method: request.method.rawValue, target: request.uri.string, headers: headers, body: body)
        if let reason = reader.rejection(of: callback) {
            throw signatureRefused(source, reason: reason, status: .forbidden, context: context)
        }
        try admitAfterProof(source, context: context)
        return (source, reader, callback)
    }

    /// Reads what a genuine callback carries; one that cannot be read is refused with 400, naming the field.
    private func readCallback<Value>(_ source: InboundSource, _ read: () throws(SwitchboardError) -> Value) throws -> Value {
        do {
            return try read()
        } catch {
            countRejection(source, reason: "invalid_callback")
            throw APIError.badRequest(error.message)
        }
    }

    private func acknowledgement(_ reader: any CallbackReader) -> Response {
        let (type, body) = reader.acknowledgement
        return Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
