import Foundation
import Hummingbird
import Digests

/// Checks `Authorization: Bearer …` against the configured tokens before the handler runs, so an
/// unauthenticated caller never gets its body read. The tokens are read from their holder per request,
/// so a reload applies to the next request. Refusals go to ``AuthRefusals``: recorded, counted,
/// and limited per client address.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = SwitchboardRequestContext

    private let tokens: AccessTokens
    private let allowedRoles: Set<AccessToken.Role>
    private let refusals: AuthRefusals

    init(tokens: AccessTokens, allowedRoles: Set<AccessToken.Role>, refusals: AuthRefusals) {
        self.tokens = tokens
        self.allowedRoles = allowedRoles
        self.refusals = refusals
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let lockout = refusals.lockout(request, context: context) { throw lockout }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw await refusals.refuse(request, context: context, token: nil, reason: "missing", error: .unauthorized)
        }
        let presented = Digest.sha256(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        // Compare against every token so timing does not reveal which one nearly matched.
        var found: AccessToken?
        for token in tokens.current where token.matches(digest: presented) { found = token }
        guard let token = found else {
            throw await refusals.refuse(request, context: context, token: nil, reason: "invalid", error: .unauthorized)
        }
        guard !token.isExpired(at: Date()) else {
            throw await refusals.refuse(request, context: context, token: token.id, reason: "expired", error: .tokenExpired)
        }
        guard allowedRoles.contains(token.role) else {
            throw await refusals.refuse(request, context: context, token: token.id, reason: "role", error: .forbidden)
        }
        var context = context
        context.identity = token
        context.logger[metadataKey: "agent.id"] = "\(token.id)"
        return try await next(request, context)
    }
}
