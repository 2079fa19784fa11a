import Foundation
import Hummingbird
import Metrics
import SwitchboardCore

extension API {
    /// `/v1/inbound/{channel}/{source}` and `…/report`: every channel's requests. The source's adapter
    /// proves, reads and answers; this route admits (rate budgets, failed-proof budgets), commits, and
    /// answers only after the commit, so a sender that gets no 2xx sends again and its id stores it once.
    func receive(
        _ request: Request, channel: any InboundChannel.Type, endpoint: InboundRequest.Endpoint, context: SwitchboardRequestContext
    ) async throws -> Response {
        let sourceID = context.parameters.get("source") ?? ""
        guard let source = configuration.sources[sourceID], type(of: source.adapter).path == channel.path else {
            throw APIError.notFound("no \(channel.sourceKind) source named '\(sourceID.excerptForMessage())' is configured")
        }
        let adapter = source.adapter
        if let mediaTypes = channel.mediaTypes { try request.requireMediaType(mediaTypes) }
        try admitBeforeBody(source, context: context)
        let body = try await request.collectBody(limit: source.adapter.maxBodyBytes ?? configuration.maxBodyBytes)
        let inbound = InboundRequest(
            endpoint: endpoint, method: request.method.rawValue, target: request.uri.string, headers: Self.fields(request.headers), body: body)
        if let refusal = adapter.verify(inbound) {
            throw signatureRefused(source, reason: refusal.reason, status: HTTPResponse.Status(code: refusal.status), context: context)
        }
        try admitAfterProof(source, context: context)
        let content: InboundContent
        do {
            content = try adapter.read(inbound)
        } catch {
            countRejection(source, reason: error.code.rawValue)
            // A file the source may not fetch is understood but refused: the sender must leave it out.
            if error.code == .invalidAttachment { throw APIError(.unprocessableContent, code: error.code.rawValue, error.message) }
            throw APIError(.badRequest, code: error.code == .invalidCallback ? "invalid_request" : error.code.rawValue, error.message)
        }
        let receipt: InboundReceipt
        switch content {
        case let .messages(read):
            var accepted: [InboundReceipt.Accepted] = []
            var messages: [InboundMessage] = []
            for message in read { messages.append(await withFiles(message, policy: adapter.attachmentPolicy, source: source, context: context)) }
            for message in messages {
                accepted.append(InboundReceipt.Accepted(message: message, result: try await commit(message, context: context)))
            }
            receipt = .accepted(accepted)
        case let .deliveryReport(report):
            receipt = .reported(try await record(report, source: source, context: context))
        }
        let answer = adapter.acknowledgement(receipt)
        let status = HTTPResponse.Status(code: answer.status)
        if answer.contentType.hasPrefix("application/json") { return JSONBody.response(json: answer.body, status: status) }
        return Response(status: status, headers: [.contentType: answer.contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
    }

    /// The message with its provider-hosted files fetched (a file that cannot be is a refusal in its
    /// place) and its source's limits applied, before the commit: an acknowledged message holds its files.
    func withFiles(_ message: InboundMessage, policy: AttachmentPolicy, source: InboundSource, context: SwitchboardRequestContext) async -> InboundMessage {
        guard !message.attachments.isEmpty else { return message }
        var message = message
        for index in message.attachments.indices {
            guard let remote = message.attachments[index].remote else { continue }
            guard let attachmentFetcher else {
                message.attachments[index] = message.attachments[index].refused(
                    AttachmentRefusal(code: "not_fetched", message: "this gateway fetches no provider-hosted files"))
                continue
            }
            switch await attachmentFetcher.fetch(remote, maxBytes: policy.limits.maxBytes, followRedirects: policy.followRedirects) {
            case let .success(file):
                message.attachments[index].content = file.data
                message.attachments[index].size = file.data.count
                message.attachments[index].remote = nil
                if let declared = file.contentType, message.attachments[index].contentType == "application/octet-stream" {
                    message.attachments[index].contentType = declared
                }
            case let .failure(refusal):
                message.attachments[index] = message.attachments[index].refused(refusal)
            }
        }
        message.attachments = policy.limits.apply(to: message.attachments)
        for refusal in message.attachments.compactMap(\.refusal) {
            context.logger.notice("attachment not kept; its message is", metadata: [
                "source.id": "\(source.id)", "attachment.refusal": "\(refusal.code)", "attachment.reason": "\(refusal.message)",
            ])
            Counter(label: "switchboard_attachments_refused_total", dimensions: [("source", source.id), ("reason", refusal.code)], factory: metricsFactory)
                .increment()
        }
        return message
    }

    /// Header fields by lower-cased name; a repeated field's values joined as HTTP combines them.
    static func fields(_ headers: HTTPFields) -> [String: String] {
        var fields: [String: String] = [:]
        for field in headers {
            let name = field.name.canonicalName
            if let earlier = fields[name] {
                fields[name] = earlier + (name == "cookie" ? "; " : ", ") + field.value
            } else {
                fields[name] = field.value
            }
        }
        return fields
    }

    /// Applies a provider's delivery report. Reports for unknown entries are answered 2xx too: refusing
    /// them would only make the gateway retry.
    private func record(_ report: DeliveryReport, source: InboundSource, context: SwitchboardRequestContext) async throws -> DeliveryReportOutcome {
        let outcome: DeliveryReportOutcome
        do {
            outcome = try await store.recordDeliveryReport(report)
        } catch {
            context.logger.error("delivery report not committed", metadata: ["source.id": "\(source.id)", "error": "\(loggableDescription(error))"])
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
        return outcome
    }

    /// Admission before the body is read. A source that does not prove its requests spends its rate budget
    /// here (429 before the body). One that does (a signature, a provider's secret) spends it only in
    /// ``admitAfterProof(_:context:)``, so a forger who knows its name cannot use up its budget and lock
    /// the real sender out; here only the client's budget of failed proofs is checked.
    func admitBeforeBody(_ source: InboundSource, context: SwitchboardRequestContext) throws {
        guard source.adapter.verifiesRequests else { return try admit(source, context: context) }
        guard let error = inboundFailures.refusal(
            client: context.clientAddress, failed: "signature checks", log: inboundRefusalLog, logger: context.logger,
            "inbound client refused unchecked: too many failed signatures", metadata: ["source.id": "\(source.id)"])
        else { return }
        countRejection(source, reason: "client_failures")
        throw error
    }

    /// Admission once a proving source's request has passed its proof: it spends the source's budget now.
    func admitAfterProof(_ source: InboundSource, context: SwitchboardRequestContext) throws {
        if source.adapter.verifiesRequests { try admit(source, context: context) }
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
            context.logger.error("inbound message not committed", metadata: ["source.id": "\(inbound.source)", "error.type": "\(type(of: error))", "error": "\(loggableDescription(error))"])
            Counter(label: "switchboard_ingest_failures_total", dimensions: [("channel", inbound.channel.rawValue)], factory: metricsFactory).increment()
            throw APIError.storageUnavailable()
        }
    }

    /// Refuses a field holding a C0 control other than tab, line feed and carriage return with 400
    /// `control_character`, naming the field and where.
    static func refuseControls(_ fields: KeyValuePairs<String, String?>) throws {
        do {
            try SwitchboardError.refuseControls(fields)
        } catch {
            throw APIError(.badRequest, code: error.code.rawValue, error.message)
        }
    }
}
