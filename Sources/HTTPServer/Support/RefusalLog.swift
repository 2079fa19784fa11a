import Foundation
import Synchronization

/// Decides which refusals get a log line: the first from a client at once, then at most one per
/// interval carrying the count of those left out, so a flood of bad requests cannot flood the log.
final class RefusalLog: Sendable {
    private struct Entry {
        var logged: ContinuousClock.Instant
        var suppressed: Int
    }

    /// Most clients remembered; past it the memory starts over (a few extra lines, never unbounded growth).
    static let maxClients = 10_000

    private let interval: Duration
    private let entries: Mutex<[String: Entry]> = Mutex([:])
    private let clock = ContinuousClock()

    init(interval: Duration = .seconds(60)) {
        self.interval = interval
    }

    /// Nil when this refusal is only counted; otherwise log it now, with the number of refusals from the
    /// client that were left out since its last line.
    func admit(client: String) -> Int? {
        let now = clock.now
        return entries.withLock { entries -> Int? in
            if var entry = entries[client], now - entry.logged < interval {
                entry.suppressed += 1
                entries[client] = entry
                return nil
            }
            let suppressed = entries[client]?.suppressed ?? 0
            if entries.count >= Self.maxClients { entries.removeAll(keepingCapacity: true) }
            entries[client] = Entry(logged: now, suppressed: 0)
            return suppressed
        }
    }
}
