import Foundation
import Synchronization

/// A failure budget per client address. Each refused proof (a wrong API token, a bad inbound signature)
/// takes one from its client's bucket, which refills at a steady rate; a client with nothing left is
/// answered 429 with `Retry-After` before anything is checked or read, so guessing costs time and a
/// flood of junk costs no body reads, database writes or log lines.
public final class ClientFailureLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// Most clients tracked at once. Past it, clients whose budget has refilled are forgotten; if that is
    /// not enough (a flood from that many addresses), all are, so memory stays bounded.
    static let maxClients = 100_000

    private let limit: InboundRateLimiter.Limit?
    private let buckets: Mutex<[String: Bucket]> = Mutex([:])
    private let clock = ContinuousClock()

    /// - Parameter limit: failures refilled per second and the most a client may have in hand; nil for no limit.
    public init(limit: InboundRateLimiter.Limit?) {
        self.limit = limit.flatMap { $0.perSecond > 0 && $0.burst >= 1 ? $0 : nil }
    }

    /// Nil while the client may still fail; otherwise the seconds until it may try again.
    func lockout(client: String) -> Double? {
        guard let limit else { return nil }
        let now = clock.now
        return buckets.withLock { buckets -> Double? in
            guard let bucket = buckets[client] else { return nil }
            let tokens = Self.refilled(bucket, limit: limit, now: now)
            return tokens >= 1 ? nil : (1 - tokens) / limit.perSecond
        }
    }

    /// Takes one failure from the client's budget.
    func charge(client: String) {
        guard let limit else { return }
        let now = clock.now
        buckets.withLock { buckets in
            let tokens = buckets[client].map { Self.refilled($0, limit: limit, now: now) } ?? limit.burst
            buckets[client] = Bucket(tokens: max(0, tokens - 1), updated: now)
            guard buckets.count > Self.maxClients else { return }
            buckets = buckets.filter { Self.refilled($0.value, limit: limit, now: now) < limit.burst }
            if buckets.count > Self.maxClients / 2 { buckets = [client: buckets[client]!] }
        }
    }

    private static func refilled(_ bucket: Bucket, limit: InboundRateLimiter.Limit, now: ContinuousClock.Instant) -> Double {
        min(limit.burst, bucket.tokens + (now - bucket.updated) / .seconds(1) * limit.perSecond)
    }
}
