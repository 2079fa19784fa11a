import Foundation
import Hummingbird
import Logging
import Metrics
import SwitchboardCore

/// What becomes of a refused agent or ops call. It is recorded in the access log (the token id when one
/// was recognized, the client address, method, path and status), counted by reason, logged at most once
/// a minute per client (with the count of those not logged), and charged to the client's failure
/// budget. A client whose budget is spent is answered 429 before its token is looked at.
final class AuthRefusals: Sendable {
    private let store: any StoreMaintenance
    private let failures: ClientFailureLimiter
    private let log: RefusalLog
    private let metricsFactory: any MetricsFactory

    init(store: any StoreMaintenance, failureLimit: InboundRateLimiter.Limit?, metricsFactory: any MetricsFactory, logInterval: Duration = .seconds(60)) {
        self.store = store
        self.failures = ClientFailureLimiter(limit: failureLimit)
        self.log = RefusalLog(interval: logInterval)
        self.metricsFactory = metricsFactory
    }

    /// The 429 to answer when the client has failed too often lately; nil to go on checking.
    func lockout(_ request: Request, context: SwitchboardRequestContext) -> APIError? {
        guard let error = failures.refusal(
            client: context.clientAddress, failed: "logins", log: log, logger: context.logger,
            "API call refused unchecked: too many failed logins from this client", metadata: ["http.path": "\(request.uri.path)"])
        else { return nil }
        count("locked_out")
        return error
    }

    /// Records a refusal and returns `error` to answer with.
    /// - Parameters:
    ///   - token: the token id when the token was recognized (a wrong role, an expired token).
    ///   - reason: for metrics and the log: `missing`, `invalid`, `expired`, `role`.
    func refuse(
        _ request: Request, context: SwitchboardRequestContext, token: String?, reason: String, error: APIError
    ) async -> APIError {
        let client = context.clientAddress
        failures.charge(client: client)
        count(reason)
        let status = Int(error.status.code)
        do {
            try await store.recordAccess(AccessRecord(
                at: Date(), actor: token ?? AccessRecord.unknownActor, method: request.method.rawValue, path: request.uri.path,
                status: status, client: client))
        } catch {
            Counter(label: "switchboard_access_log_failures_total", factory: metricsFactory).increment()
            context.logger.error("refused access not recorded", metadata: ["http.path": "\(request.uri.path)", "error.type": "\(type(of: error))"])
        }
        if let unlogged = log.admit(client: client) {
            var metadata: Logger.Metadata = [
                "http.path": "\(request.uri.path)", "http.status": "\(status)", "auth.reason": "\(reason)",
                "client.address": "\(client)", "refusals.unlogged": "\(unlogged)",
            ]
            if let token { metadata["agent.id"] = "\(token)" }
            context.logger.notice("API call refused", metadata: metadata)
        }
        var answer = error
        answer.alreadyLogged = true
        return answer
    }

    private func count(_ reason: String) {
        Counter(label: "switchboard_auth_rejections_total", dimensions: [("reason", reason)], factory: metricsFactory).increment()
    }
}
