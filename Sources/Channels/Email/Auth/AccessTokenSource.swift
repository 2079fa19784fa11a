/// Where a mailbox or relay gets the OAuth2 access token it logs in with. Implementations keep the token in
/// memory only and hand out a cached one while it is valid for a while yet.
public protocol AccessTokenSource: Sendable {
    /// A token that stays valid for a while yet: the cached one, or a new one fetched now.
    func accessToken() async throws(MailAuthError) -> String
    /// The server refused `token` at login: it is dropped (when still the cached one), so the next call fetches
    /// a new one instead of trying it again.
    func invalidate(_ token: String) async
}
