import Foundation
import Digests
import Hummingbird
import HTTPTypes
import NIOCore

/// The agent console: its files at `/console/`, and signing in and out of a session.
extension API {
    /// What the console's pages may do: only this origin's scripts, styles and connections; no inline code,
    /// no frames, no form posts elsewhere. Customer text cannot run even if it reached the page as markup.
    static let consoleContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

    func addConsoleRoutes(to router: Router<SwitchboardRequestContext>, refusals: AuthRefusals) {
        // The router does not tell `/console` from `/console/`; the page's modules are relative, so only the latter serves it.
        router.get("console") { request, _ in
            guard request.uri.path.hasSuffix("/") else { return Response(status: .movedPermanently, headers: [.location: "/console/"]) }
            return try consoleFile("index.html")
        }
        router.get("console/:file") { _, context in try consoleFile(context.parameters.get("file") ?? "") }
        router.post("console/session") { request, context in try await openSession(request, context: context, refusals: refusals) }
        router.get("console/session") { request, _ in try await currentSession(request) }
        router.post("console/session/end") { request, _ in try await endSession(request) }
    }

    /// A console file with the console's security headers; 404 for any name that is not one.
    func consoleFile(_ name: String) throws -> Response {
        guard let file = configuration.consoleAssets.file(named: name) else {
            throw APIError.notFound("the console has no file '\(name.excerptForMessage())'")
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: file.contentType, .contentSecurityPolicy: Self.consoleContentSecurityPolicy, .referrerPolicy: "no-referrer",
                .xContentTypeOptions: "nosniff",
                // The files change only with the binary; revalidating keeps an upgraded gateway's console current.
                .cacheControl: "no-cache",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    /// The console's view of a session: the CSRF token its page sends back, and who is signed in.
    struct SessionView: Encodable {
        struct Agent: Encodable {
            var id: String
            var name: String
            var role: String
        }
        var csrfToken: String
        var agent: Agent
        var idleTimeoutSeconds: Int
    }

    /// `POST /console/session {"token"}`: trades an API token for a session cookie. JSON only, so another
    /// site's form cannot sign a browser in; a wrong token counts as a failed login like a wrong bearer token.
    func openSession(_ request: Request, context: SwitchboardRequestContext, refusals: AuthRefusals) async throws -> Response {
        if let lockout = refusals.lockout(request, context: context) { throw lockout }
        try request.requireMediaType(["application/json"])
        let body = try await request.collectBody(limit: 4096)
        struct SignIn: Decodable { var token: String }
        let presented = Digest.sha256(try JSONBody.decode(SignIn.self, from: body).token.trimmingCharacters(in: .whitespaces))
        let token = try await BearerAuthMiddleware.tokenInForce(
            presented, tokens: configuration.tokens, request: request, context: context, refusals: refusals)
        let (cookie, csrf) = try await APIError.readingSessions { try await sessions.open(for: token, now: Date()) }
        context.logger.info("console session opened", metadata: ["agent.id": "\(token.id)"])
        var response = try JSONBody.response(sessionView(token, csrf: csrf))
        response.setCookie(sessionCookie(cookie, request: request))
        return response
    }

    /// `GET /console/session`: the signed-in agent and the CSRF token, for a page that was reloaded.
    func currentSession(_ request: Request) async throws -> Response {
        let (token, csrf) = try await sessionCaller(request)
        return try JSONBody.response(sessionView(token, csrf: csrf))
    }

    /// `POST /console/session/end`: signs out (with the CSRF token, so another site cannot sign a browser out).
    func endSession(_ request: Request) async throws -> Response {
        guard let cookie = request.cookies[ConsoleSessions.cookieName]?.value else { throw APIError.sessionExpired }
        _ = try await BearerAuthMiddleware.session(request, cookie: cookie, sessions: sessions)
        try await APIError.readingSessions { try await sessions.end(cookie: cookie) }
        var response = Response(status: .noContent, headers: [.cacheControl: "no-store"])
        response.setCookie(Cookie(
            name: ConsoleSessions.cookieName, value: "", maxAge: 0, path: "/", secure: isSecure(request), httpOnly: true, sameSite: .strict))
        return response
    }

    /// The token in force behind the request's session, and the session's CSRF token.
    private func sessionCaller(_ request: Request) async throws -> (AccessToken, String) {
        guard let cookie = request.cookies[ConsoleSessions.cookieName]?.value else { throw APIError.sessionExpired }
        let session = try await BearerAuthMiddleware.session(request, cookie: cookie, sessions: sessions)
        guard let token = configuration.tokens.token(matching: session.tokenDigest), !token.isExpired(at: Date()) else {
            throw APIError.sessionExpired
        }
        return (token, session.csrfToken)
    }

    private func sessionView(_ token: AccessToken, csrf: String) -> SessionView {
        SessionView(
            csrfToken: csrf, agent: .init(id: token.id, name: token.name, role: token.role.rawValue),
            idleTimeoutSeconds: Int(sessions.idleTimeout))
    }

    /// `HttpOnly` so no script reads it, `SameSite=Strict` so no other site's request carries it, and
    /// `Secure` when the browser reached the gateway over TLS.
    private func sessionCookie(_ value: String, request: Request) -> Cookie {
        Cookie(name: ConsoleSessions.cookieName, value: value, path: "/", secure: isSecure(request), httpOnly: true, sameSite: .strict)
    }

    private func isSecure(_ request: Request) -> Bool {
        configuration.secureCookies || request.headers[.xForwardedProto]?.lowercased() == "https"
    }
}
