import Hummingbird
import Signing

/// Checks `Authorization: Bearer …` against the configured tokens before the handler runs, so an
/// unauthenticated caller never gets its body read.
public struct BearerAuthMiddleware: RouterMiddleware {
    public typealias Context = SwitchboardRequestContext

    private let tokens: [AccessToken]
    private let allowedRoles: Set<AccessToken.Role>
    private let rejected: @Sendable (String) -> Void

    /// - Parameter rejected: told the reason of each rejection (`missing`, `invalid`, `role`) for metrics.
    public init(tokens: [AccessToken], allowedRoles: Set<AccessToken.Role>, rejected: @escaping @Sendable (String) -> Void = { _ in }) {
        self.tokens = tokens
        self.allowedRoles = allowedRoles
        self.rejected = rejected
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            rejected("missing")
            throw APIError.unauthorized
        }
        let presented = Digest.sha256(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        // Compare against every token so timing does not reveal which one nearly matched.
        var found: AccessToken?
        for token in tokens where token.matches(digest: presented) { found = token }
        guard let token = found else {
            rejected("invalid")
            throw APIError.unauthorized
        }
        guard allowedRoles.contains(token.role) else {
            rejected("role")
            throw APIError.forbidden
        }
        var context = context
        context.identity = token
        context.logger[metadataKey: "agent.id"] = "\(token.id)"
        return try await next(request, context)
    }
}
