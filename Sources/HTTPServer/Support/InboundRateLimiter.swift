import Foundation
import Synchronization

/// A token bucket per inbound source: a flood from one sender (a misconfigured retry loop, an attack) is
/// answered 429 with `Retry-After` before its body is read, and the other sources keep their capacity.
public final class InboundRateLimiter: Sendable {
    /// Sustained requests per second and the burst allowed above it.
    public struct Limit: Sendable, Equatable {
        public var perSecond: Double
        public var burst: Double

        public init(perSecond: Double, burst: Double) {
            self.perSecond = perSecond
            self.burst = burst
        }
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let limits: [String: Limit]
    private let buckets: Mutex<[String: Bucket]> = Mutex([:])
    private let clock = ContinuousClock()

    /// - Parameter limits: by source id; a source without one is not limited.
    public init(limits: [String: Limit]) {
        self.limits = limits
    }

    /// Takes one request's token; returns nil when admitted, or the seconds until a token is free.
    func admit(source: String) -> Double? {
        guard let limit = limits[source], limit.perSecond > 0 else { return nil }
        let now = clock.now
        return buckets.withLock { buckets -> Double? in
            var bucket = buckets[source] ?? Bucket(tokens: limit.burst, updated: now)
            let elapsed = (now - bucket.updated) / .seconds(1)
            bucket.tokens = min(limit.burst, bucket.tokens + elapsed * limit.perSecond)
            bucket.updated = now
            defer { buckets[source] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return (1 - bucket.tokens) / limit.perSecond
        }
    }
}
