/// A response-time target.
public struct SLAPolicy: Sendable, Equatable {
    public var id: String
    public var description: String?
    /// Seconds until the first human response is due.
    public var firstResponse: Double
    /// Seconds until resolution is due, if the policy sets one.
    public var resolution: Double?
    /// The business calendar the clock runs on; nil for round-the-clock time.
    public var calendar: String?
}
