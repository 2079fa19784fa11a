/// An access token and how long it was issued for.
public struct IssuedAccessToken: Sendable {
    public var token: String
    public var lifetime: Duration

    public init(token: String, lifetime: Duration) {
        self.token = token
        self.lifetime = lifetime
    }
}

/// The token sources' shared memory: the current token, handed out until little of its lifetime is left,
/// and at most one fetch at a time (a relay's concurrent sends wait for the same refresh).
actor AccessTokenCache {
    private var current: (token: String, renewAt: ContinuousClock.Instant)?
    private var pending: Task<String, any Error>?
    /// How many tokens were fetched: for tests and the log.
    private(set) var fetches = 0

    /// The cached token while it is fresh enough, else the one `fetch` gets.
    func token(fetch: @escaping @Sendable () async throws(MailAuthError) -> IssuedAccessToken) async throws(MailAuthError) -> String {
        if let current, ContinuousClock.now < current.renewAt { return current.token }
        let task = pending ?? Task { try await self.fetchAndKeep(fetch) }
        pending = task
        do {
            return try await task.value
        } catch let error as MailAuthError {
            throw error
        } catch {
            throw MailAuthError(.tokenEndpointUnavailable, "fetching an access token failed")
        }
    }

    /// Forgets `token` if it is still the current one (a concurrent refresh may have replaced it already).
    func invalidate(_ token: String) {
        if current?.token == token { current = nil }
    }

    private func fetchAndKeep(_ fetch: @Sendable () async throws(MailAuthError) -> IssuedAccessToken) async throws -> String {
        defer { pending = nil }
        // Measured before asking: the lifetime runs from when the provider issued it, not from when it arrived.
        let asked = ContinuousClock.now
        let issued = try await fetch()
        fetches += 1
        current = (issued.token, asked + issued.lifetime - Self.margin(issued.lifetime))
        return issued.token
    }

    /// How long before expiry a token is replaced: a tenth of its lifetime, at most a minute, so a poll or a
    /// send that starts with it still logs in before it expires.
    static func margin(_ lifetime: Duration) -> Duration {
        min(.seconds(60), lifetime / 10)
    }
}
