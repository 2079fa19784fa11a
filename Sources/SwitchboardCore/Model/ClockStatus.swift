/// Where a clock stands at an instant.
public enum ClockStatus: String, Sendable, Codable, CaseIterable {
    /// Counting towards a deadline not yet reached.
    case running
    /// Stopped for now (waiting on the customer), before its deadline.
    case paused
    /// Fulfilled in time.
    case met
    /// The deadline passed before the clock was fulfilled (whether it is still counting or was
    /// fulfilled late).
    case breached
}
