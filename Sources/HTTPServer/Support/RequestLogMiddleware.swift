import Hummingbird
import Logging
import Metrics

/// Counts every answer by status class and logs failures, never with bodies.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = SwitchboardRequestContext
    let metricsFactory: any MetricsFactory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            count(response.status)
            return response
        } catch let error as HTTPResponseError {
            count(error.status)
            if let apiError = error as? APIError, !apiError.alreadyLogged {
                context.logger.notice("request refused", metadata: [
                    "http.path": "\(Self.loggedPath(request.uri.path))", "http.status": "\(error.status.code)", "error.code": "\(apiError.code)",
                    "error": "\(apiError.message)",
                ])
            }
            throw error
        } catch {
            count(.internalServerError)
            context.logger.error("request failed", metadata: ["http.path": "\(Self.loggedPath(request.uri.path))", "error.type": "\(type(of: error))"])
            throw APIError(.internalServerError, code: "internal_error", "the request could not be completed")
        }
    }

    /// The path as logged: a survey token in it is a capability (whoever reads it can answer the
    /// survey), so it is replaced with `{token}`.
    static func loggedPath(_ path: String) -> String {
        for prefix in ["/s/", "/v1/surveys/"] where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            let tail = rest.firstIndex(of: "/").map { rest[$0...] } ?? ""
            return prefix + "{token}" + tail
        }
        return path
    }

    private func count(_ status: HTTPResponse.Status) {
        Counter(label: "switchboard_http_responses_total", dimensions: [("class", "\(status.code / 100)xx")], factory: metricsFactory).increment()
    }
}
