import Synchronization
import SwitchboardCore

extension PostgresMessageStore {
    /// How many ingest transactions one gateway runs at once. A transaction spends most of its time waiting for
    /// the server's answers, one statement after another; a second one fills those waits, where SQLite's single
    /// writer has nothing to gain. More than a few only collide with each other.
    static let ingestWriters = 2

    /// Commits batches as ``ingest(prepared:)`` does, up to ``ingestWriters`` at once, each in its own
    /// transaction; `finished` hears of them in the order they were taken, as the caller pairs outcomes with
    /// batches by that order.
    public func ingestBatches(
        next: @escaping @Sendable () -> [PreparedIngest]?,
        finished: @escaping @Sendable (Result<[Result<IngestResult, any Error>], any Error>) -> Void
    ) async {
        let outcomes = InOrderOutcomes(finished: finished)
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            while true {
                if running < Self.ingestWriters, let (number, batch) = outcomes.take(next) {
                    running += 1
                    group.addTask {
                        let outcome: Result<[Result<IngestResult, any Error>], any Error>
                        do { outcome = .success(try await self.ingest(prepared: batch)) } catch { outcome = .failure(error) }
                        outcomes.report(number, outcome)
                    }
                    continue
                }
                // At capacity, or nothing queued: wait for a transaction to end, then look again.
                guard running > 0 else { return }
                await group.next()
                running -= 1
            }
        }
    }
}

/// Numbers batches as they are taken, and reports their outcomes in that order, holding back one that ends
/// before an earlier one.
private final class InOrderOutcomes: Sendable {
    typealias Batch = [PostgresMessageStore.PreparedIngest]
    typealias Outcome = Result<[Result<IngestResult, any Error>], any Error>

    private struct State {
        var taken = 0
        var reported = 0
        var waiting: [Int: Outcome] = [:]
    }

    private let state = Mutex(State())
    private let finished: @Sendable (Outcome) -> Void

    init(finished: @escaping @Sendable (Outcome) -> Void) {
        self.finished = finished
    }

    /// The next batch with its number, or nil when none is queued.
    func take(_ next: () -> Batch?) -> (Int, Batch)? {
        state.withLock { state in
            guard let batch = next() else { return nil }
            defer { state.taken += 1 }
            return (state.taken, batch)
        }
    }

    /// Reports `outcome` and every held-back one after it, in order, once those before it are reported. Under
    /// the lock, so two transactions ending together cannot report out of order.
    func report(_ number: Int, _ outcome: Outcome) {
        state.withLock { state in
            state.waiting[number] = outcome
            while let ready = state.waiting.removeValue(forKey: state.reported) {
                finished(ready)
                state.reported += 1
            }
        }
    }
}
