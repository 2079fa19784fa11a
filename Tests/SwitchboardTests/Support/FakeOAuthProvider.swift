import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// An OAuth2 provider on 127.0.0.1 for the mailbox tests: a token endpoint that answers the refresh-token
/// grant (`POST /token`) and an RFC 7662 introspection endpoint (`POST /introspect`) that the test Dovecot
/// and SMTP server ask whether a token is good. Tokens expire after ``expiresIn`` seconds; a test can revoke
/// every token issued so far and make the token endpoint refuse refreshes (`invalid_grant`).
final class FakeOAuthProvider: TestServer, Sendable {
    static let clientID = "switchboard-test-client"
    static let clientSecret = "client-secret-never-logged"
    static let initialRefreshToken = "refresh-token-never-logged"

    private struct Issued {
        var token: String
        var expires: ContinuousClock.Instant
        var revoked = false
    }

    private struct State {
        var username: String
        var expiresIn: Int
        /// Seconds the server still accepts a token past the lifetime it announced.
        var grace = 0
        var refusing = false
        var rotate = false
        var refreshToken = FakeOAuthProvider.initialRefreshToken
        var issued: [Issued] = []
        var refreshes = 0
        var refused = 0
        var introspected: [String] = []
        var scopes: [String] = []
    }

    private let state: Mutex<State>
    private let server = LoopbackServer()

    /// - Parameter username: who every token belongs to (Dovecot's `username_attribute`).
    init(username: String, expiresIn: Int = 3600) {
        state = Mutex(State(username: username, expiresIn: expiresIn))
    }

    var tokenURL: String { "http://127.0.0.1:\(server.port)/token" }
    var introspectionURL: String { "http://127.0.0.1:\(server.port)/introspect" }

    /// Refreshes answered with a token.
    var refreshes: Int { state.withLock { $0.refreshes } }
    /// Refreshes refused.
    var refused: Int { state.withLock { $0.refused } }
    /// Every access token issued, oldest first.
    var issuedTokens: [String] { state.withLock { $0.issued.map(\.token) } }
    /// The tokens introspected, in order.
    var introspected: [String] { state.withLock { $0.introspected } }
    /// The `scope` of each refresh.
    var scopes: [String] { state.withLock { $0.scopes } }

    func setExpiresIn(_ seconds: Int) { state.withLock { $0.expiresIn = seconds } }
    /// Lets the server accept tokens `seconds` past the lifetime it announces, so a slow poll is not cut off
    /// by an expiry the client is meant to anticipate.
    func setGrace(_ seconds: Int) { state.withLock { $0.grace = seconds } }
    /// Each refresh answers with a new refresh token, and only the latest one is accepted.
    func setRotating(_ rotate: Bool) { state.withLock { $0.rotate = rotate } }

    /// Revokes every token issued so far and refuses refreshes until ``recover()``.
    func revoke() {
        state.withLock { state in
            for index in state.issued.indices { state.issued[index].revoked = true }
            state.refusing = true
        }
    }

    func recover() { state.withLock { $0.refusing = false } }

    func start() async {
        let router = Router()
        router.post("token") { request, _ -> Response in
            let form = try await Self.form(request)
            let (status, json) = self.state.withLock { state -> (HTTPResponse.Status, String) in
                guard form["grant_type"] == "refresh_token", form["client_id"] == Self.clientID, form["client_secret"] == Self.clientSecret else {
                    state.refused += 1
                    return (.unauthorized, #"{"error": "invalid_client"}"#)
                }
                guard !state.refusing, form["refresh_token"] == state.refreshToken else {
                    state.refused += 1
                    return (.badRequest, #"{"error": "invalid_grant", "error_description": "the refresh token was revoked"}"#)
                }
                state.refreshes += 1
                state.scopes.append(form["scope"] ?? "")
                let token = "access-\(state.refreshes)-\(UUID().uuidString)"
                state.issued.append(Issued(token: token, expires: .now + .seconds(state.expiresIn + state.grace)))
                var rotated = ""
                if state.rotate {
                    state.refreshToken = "refresh-\(state.refreshes)-\(UUID().uuidString)"
                    rotated = #", "refresh_token": "\#(state.refreshToken)""#
                }
                return (.ok, #"{"access_token": "\#(token)", "token_type": "Bearer", "expires_in": \#(state.expiresIn)\#(rotated)}"#)
            }
            return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        router.post("introspect") { request, _ -> Response in
            var token = try await Self.form(request)["token"] ?? ""
            if token.isEmpty, let bearer = request.headers[.authorization], bearer.hasPrefix("Bearer ") { token = String(bearer.dropFirst(7)) }
            let json = self.state.withLock { state -> String in
                state.introspected.append(token)
                guard let issued = state.issued.first(where: { $0.token == token }), !issued.revoked, ContinuousClock.now < issued.expires else {
                    return #"{"active": false}"#
                }
                return #"{"active": true, "username": "\#(state.username)", "token_type": "Bearer"}"#
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        await server.start(router, label: "fake-oauth")
    }

    func stop() async {
        await server.stop()
    }

    private static func form(_ request: Request) async throws -> [String: String] {
        var body = Data()
        for try await chunk in request.body { body.append(contentsOf: chunk.readableBytesView) }
        var form: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            form[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return form
    }
}
