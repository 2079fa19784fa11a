import Curl
import Foundation
import Logging

/// Access tokens from an OAuth2 token endpoint by the refresh-token grant (RFC 6749 §6): a form POST with
/// `grant_type=refresh_token`, the client's id and secret, the refresh token and the scope. A refresh token
/// the provider rotates (Microsoft does) replaces the configured one, in memory only: after a restart the
/// configured one is used again, which providers accept until it expires.
public actor RefreshTokenSource: AccessTokenSource {
    private let grant: OAuth2Settings.RefreshTokenGrant
    private var refreshToken: String
    private let client: CurlHTTPClient
    private let cache = AccessTokenCache()
    private let logger: Logger

    public init(grant: OAuth2Settings.RefreshTokenGrant, logger: Logger) {
        self.grant = grant
        self.refreshToken = grant.refreshToken
        self.client = CurlHTTPClient()
        self.logger = logger
    }

    public func accessToken() async throws(MailAuthError) -> String {
        try await cache.token { () async throws(MailAuthError) -> IssuedAccessToken in try await self.refresh() }
    }

    public func invalidate(_ token: String) async {
        await cache.invalidate(token)
    }

    /// How many access tokens were fetched so far.
    public var refreshes: Int {
        get async { await cache.fetches }
    }

    /// Used when the endpoint does not say (`expires_in` is only RECOMMENDED): short, so a token that
    /// lives less long fails one poll at most.
    static let defaultLifetime: Duration = .seconds(300)

    private func refresh() async throws(MailAuthError) -> IssuedAccessToken {
        var form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", grant.clientID)]
        if let secret = grant.clientSecret { form.append(("client_secret", secret)) }
        if let scope = grant.scope { form.append(("scope", scope)) }
        let request = HTTPRequest(
            method: "POST", url: grant.tokenURL,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Data(Self.formEncoded(form).utf8), timeout: .seconds(30), connectTimeout: .seconds(10))
        let response: HTTPResponse
        do {
            response = try await client.perform(request)
        } catch {
            // CurlError names the step and curl's reason, never the body we sent.
            throw MailAuthError(.tokenEndpointUnavailable, "token endpoint unreachable: \(error)")
        }
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        guard response.status == 200 else {
            let reason = (object?["error"] as? String).map { MailAuthError.safe($0, limit: 60) } ?? "no OAuth2 error code"
            let detail = (object?["error_description"] as? String).map { ": " + MailAuthError.safe($0) } ?? ""
            // 429 and 5xx pass; anything else is the grant or the client refused, which waiting does not mend.
            let code: MailAuthError.Code = response.status == 429 || response.status >= 500 ? .tokenEndpointUnavailable : .tokenRefused
            throw MailAuthError(code, "token endpoint answered HTTP \(response.status) (\(reason))\(detail)")
        }
        guard let object, let issued = Self.issuedToken(object, defaultLifetime: Self.defaultLifetime) else {
            throw MailAuthError(.invalidTokenResponse, "token endpoint answered without an access_token")
        }
        if let rotated = object["refresh_token"] as? String, !rotated.isEmpty, rotated != refreshToken {
            refreshToken = rotated
            logger.debug("token endpoint rotated the refresh token; the new one is kept in memory")
        }
        return issued
    }

    /// `access_token` and `expires_in` (a number, or a number as text as some providers send it) of a
    /// token response; nil without a usable token.
    static func issuedToken(_ object: [String: Any], defaultLifetime: Duration) -> IssuedAccessToken? {
        guard let token = object["access_token"] as? String, !token.isEmpty,
            token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else { return nil }
        let seconds: Double? = switch object["expires_in"] {
        case let value as Int: Double(value)
        case let value as Double: value
        case let value as String: Double(value)
        default: nil
        }
        let lifetime = seconds.flatMap { $0 > 0 && $0.isFinite ? Duration.seconds(min($0, 86_400 * 30)) : nil } ?? defaultLifetime
        return IssuedAccessToken(token: token, lifetime: lifetime)
    }

    /// `application/x-www-form-urlencoded`: everything but unreserved characters percent-encoded.
    static func formEncoded(_ fields: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return fields.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
}
