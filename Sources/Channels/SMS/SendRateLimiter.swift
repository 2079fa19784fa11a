import Synchronization

/// Spaces submissions to one provider at a steady rate, and holds them all back after the provider said
/// 429 until its `Retry-After` has passed: one throttled send means the next ones would be throttled too.
public final class SendRateLimiter: Sendable {
    private let interval: Duration
    private let clock = ContinuousClock()
    private let next: Mutex<ContinuousClock.Instant>

    /// - Parameter perSecond: messages per second; zero or less means no limit.
    public init(perSecond: Double) {
        interval = perSecond > 0 ? .nanoseconds(Int64(1_000_000_000 / perSecond)) : .zero
        next = Mutex(ContinuousClock().now)
    }

    /// Waits for this caller's turn. Each caller takes the next free slot, so concurrent senders queue
    /// up instead of bursting.
    public func acquire() async throws {
        let now = clock.now
        let slot = next.withLock { next -> ContinuousClock.Instant in
            let slot = max(next, now)
            next = slot + interval
            return slot
        }
        if slot > now { try await Task.sleep(until: slot, clock: clock) }
    }

    /// Holds every later submission back for `seconds`.
    public func pause(seconds: Double) {
        let until = clock.now + .milliseconds(Int64(seconds * 1000))
        next.withLock { $0 = max($0, until) }
    }
}
