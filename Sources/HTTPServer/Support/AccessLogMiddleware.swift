import Foundation
import Hummingbird
import Logging
import Metrics
import SwitchboardCore

/// Appends every authenticated call (who, from where, method, path, status; never a body or a query) to
/// the access log, so a support centre can say who looked at a customer's conversation. Refused calls
/// are recorded by ``BearerAuthMiddleware``.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = SwitchboardRequestContext
    let store: any StoreMaintenance
    let metricsFactory: any MetricsFactory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let status: Int
        let outcome: Result<Response, any Error>
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            outcome = .success(response)
        } catch let error as HTTPResponseError {
            status = Int(error.status.code)
            outcome = .failure(error)
        } catch {
            status = 500
            outcome = .failure(error)
        }
        if let identity = context.identity {
            do {
                try await store.recordAccess(AccessRecord(
                    at: Date(), actor: identity.id, method: request.method.rawValue, path: request.uri.path, status: status,
                    client: context.clientAddress))
            } catch {
                Counter(label: "switchboard_access_log_failures_total", factory: metricsFactory).increment()
                context.logger.error("access not recorded", metadata: ["http.path": "\(request.uri.path)", "error.type": "\(type(of: error))"])
            }
        }
        return try outcome.get()
    }
}
