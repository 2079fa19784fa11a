import Hummingbird
import HTTPTypes

/// Answers a request no route takes with the API's JSON errors instead of the router's empty `404`:
/// `405 method_not_allowed` with `Allow` when the path exists for other methods, `404 not_found` otherwise.
///
/// Added to the router after every route, so it wraps only the router's not-found responder.
struct UnmatchedRouteMiddleware: RouterMiddleware {
    typealias Context = SwitchboardRequestContext
    /// Each route's path and the methods it answers.
    let routes: [(path: RouterPath, methods: [HTTPRequest.Method])]

    init(routes: [Router<Context>.RouteDescription]) {
        var table: [(path: RouterPath, methods: [HTTPRequest.Method])] = []
        for route in routes {
            if let index = table.firstIndex(where: { $0.path == route.path }) {
                table[index].methods.append(route.method)
            } else {
                table.append((route.path, [route.method]))
            }
        }
        self.routes = table
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = methods(for: request.uri.path)
            guard !allowed.isEmpty else {
                throw APIError.notFound("no endpoint has this path; the endpoints are listed under \"HTTP API\" in the README")
            }
            let list = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            throw APIError(
                .methodNotAllowed, code: "method_not_allowed", "this endpoint does not take \(request.method.rawValue); it takes \(list)",
                headers: [.allow: list])
        }
    }

    /// The methods of the routes whose path matches `path`, component by component.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        var found: [HTTPRequest.Method] = []
        for route in routes where route.path.components.count == components.count {
            if zip(route.path.components, components).allSatisfy({ element, component in element ~= component }) {
                found += route.methods.filter { !found.contains($0) }
            }
        }
        return found
    }
}
