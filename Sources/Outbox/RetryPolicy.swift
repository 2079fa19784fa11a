import Foundation

/// Exponential backoff with jitter: attempt n waits about `initial · 2^(n-1)`, capped at `maximum`, and
/// drawn from the upper half of that so many failed entries do not retry in lock-step.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var initialBackoff: Double
    public var maxBackoff: Double

    public init(maxAttempts: Int, initialBackoff: Double, maxBackoff: Double) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// Seconds to wait after the given failed attempt (1-based); at least what the receiver asked for.
    public func delay(afterAttempt attempt: Int, retryAfter: Double?) -> Double {
        let exponential = initialBackoff * pow(2, Double(max(0, attempt - 1)))
        let capped = min(maxBackoff, exponential)
        let jittered = capped * Double.random(in: 0.5...1.0)
        return max(jittered, min(retryAfter ?? 0, maxBackoff))
    }
}
