import Foundation
import SwitchboardCore

/// Whether a failed attempt is tried again, and when: exponential backoff with jitter. Attempt n waits
/// about `initial · 2^(n-1)`, capped at `maximum`, and drawn from the upper half of that so many failed
/// entries do not retry in lock-step.
public struct RetryPolicy: Sendable {
    /// Attempts before an entry is dead-lettered.
    public var maxAttempts: Int
    /// The wait after the first failed attempt; each later one doubles it.
    public var initialBackoff: Duration
    /// The longest wait, also the most a receiver's `Retry-After` is honoured for.
    public var maxBackoff: Duration

    public init(maxAttempts: Int = 8, initialBackoff: Duration = .seconds(2), maxBackoff: Duration = .seconds(600)) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// The outcome to record for a channel's answer to the given attempt (1-based): a `retry` becomes a
    /// retry after ``delay(afterAttempt:retryAfter:jitter:)``, or `deadLettered` once `maxAttempts` are
    /// spent; every other answer stands as it is.
    ///
    /// - Parameter jitter: where in the upper half of the backoff the delay falls, from 0.5 to 1; random
    ///   unless a test fixes it.
    public func decide(_ answer: DeliveryOutcome, attempt: Int, jitter: Double = .random(in: 0.5...1.0)) -> DeliveryOutcome {
        guard case let .retry(error, retryAfter) = answer else { return answer }
        if attempt >= maxAttempts {
            return .deadLettered(error: "\(error) (gave up after \(attempt) attempts)")
        }
        return .retry(error: error, after: delay(afterAttempt: attempt, retryAfter: retryAfter, jitter: jitter))
    }

    /// Seconds to wait after the given failed attempt (1-based); at least what the receiver asked for,
    /// up to `maxBackoff`.
    public func delay(afterAttempt attempt: Int, retryAfter: Double?, jitter: Double = .random(in: 0.5...1.0)) -> Double {
        let maximum = maxBackoff.inSeconds
        let exponential = initialBackoff.inSeconds * pow(2, Double(max(0, attempt - 1)))
        let capped = min(maximum, exponential)
        return max(capped * jitter, min(retryAfter ?? 0, maximum))
    }
}
