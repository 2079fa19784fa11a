/// Why an inbound request failed its source's proof, and the HTTP status to answer: 401 for a signed
/// webhook, 403 where a provider's protocol expects it.
public struct InboundRefusal: Sendable, Equatable {
    /// Names what was wrong, never the secret or the expected value.
    public var reason: String
    public var status: Int

    public init(_ reason: String, status: Int = 401) {
        self.reason = reason
        self.status = status
    }
}
