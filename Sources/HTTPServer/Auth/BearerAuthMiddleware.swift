import Foundation
import Hummingbird
import Digests

/// Checks `Authorization: Bearer …` against the configured tokens before the handler runs, so an
/// unauthenticated caller never gets its body read. The tokens are read from their holder per request,
/// so a reload applies to the next request. Refusals go to ``AuthRefusals``: recorded, counted,
/// and limited per client address.
///
/// A request without the header may instead carry a console session's cookie (``ConsoleSessions``):
/// then the caller is the token the session was opened with, if it is still in force, and a request
/// that changes anything must also carry the session's `X-CSRF-Token`, which another site cannot read.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = SwitchboardRequestContext

    private let tokens: AccessTokens
    private let allowedRoles: Set<AccessToken.Role>
    private let refusals: AuthRefusals
    private let sessions: ConsoleSessions?

    init(tokens: AccessTokens, allowedRoles: Set<AccessToken.Role>, refusals: AuthRefusals, sessions: ConsoleSessions? = nil) {
        self.tokens = tokens
        self.allowedRoles = allowedRoles
        self.refusals = refusals
        self.sessions = sessions
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let lockout = refusals.lockout(request, context: context) { throw lockout }
        let presented: [UInt8]
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            presented = Digest.sha256(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        } else if request.headers[.authorization] == nil, let sessions, let cookie = request.cookies[ConsoleSessions.cookieName]?.value {
            presented = try await Self.session(request, cookie: cookie, sessions: sessions).tokenDigest
        } else {
            throw await refusals.refuse(request, context: context, token: nil, reason: "missing", error: .unauthorized)
        }
        let token = try await Self.tokenInForce(presented, tokens: tokens, request: request, context: context, refusals: refusals)
        guard allowedRoles.contains(token.role) else {
            throw await refusals.refuse(request, context: context, token: token.id, reason: "role", error: .forbidden)
        }
        var context = context
        context.identity = token
        context.logger[metadataKey: "agent.id"] = "\(token.id)"
        return try await next(request, context)
    }
}

extension BearerAuthMiddleware {
    /// The token in force whose digest `presented` is: an unknown or expired one is refused, and charged
    /// to the client as a failed login (``AuthRefusals``). Bearer tokens and console sign-ins both come here.
    static func tokenInForce(
        _ presented: [UInt8], tokens: AccessTokens, request: Request, context: SwitchboardRequestContext, refusals: AuthRefusals
    ) async throws -> AccessToken {
        guard let token = tokens.token(matching: presented) else {
            throw await refusals.refuse(request, context: context, token: nil, reason: "invalid", error: .unauthorized)
        }
        guard !token.isExpired(at: Date()) else {
            throw await refusals.refuse(request, context: context, token: token.id, reason: "expired", error: .tokenExpired)
        }
        return token
    }

    /// The live session a cookie names, after the CSRF check a state-changing request must pass. An
    /// unknown or idle session is not charged as a failed login: the cookie cannot be guessed, and an
    /// office of agents behind one address whose sessions lapse overnight must not be locked out.
    static func session(_ request: Request, cookie: String, sessions: ConsoleSessions) async throws -> ConsoleSessions.Session {
        guard let session = try await APIError.readingSessions({ try await sessions.session(cookie: cookie, now: Date()) }) else {
            throw APIError.sessionExpired
        }
        if ![.get, .head, .options].contains(request.method) {
            let sent = request.headers[.csrfToken] ?? ""
            guard Digest.constantTimeEqual(Array(sent.utf8), Array(session.csrfToken.utf8)) else { throw APIError.csrfTokenInvalid }
        }
        return session
    }
}
