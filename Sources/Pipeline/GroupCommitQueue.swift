import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import SwitchboardCore

/// What ``IngestCommitter`` asks of its queue, whatever the store: the queue holds requests in the store's
/// own prepared form, so it is generic over the store, and the committer holds it through this.
protocol GroupCommitting: Sendable {
    var isRunning: Bool { get }
    var queuedCount: Int { get }
    func commit(group requests: [IngestRequest]) async throws -> [Result<IngestResult, any Error>]
    func run() async throws
}

/// The work of ``IngestCommitter`` for one kind of store: requests are prepared on the callers' tasks
/// and queued in the store's prepared form, and batches of them go to the store's writer.
final class GroupCommitQueue<Store: IntakeStore>: GroupCommitting {
    /// One caller's requests: a single message, or a group that must share a transaction.
    private struct Waiting {
        var requests: [Store.PreparedIngest]
        var continuation: CheckedContinuation<[Result<IngestResult, any Error>], any Error>
    }

    private struct State {
        var queue: [Waiting] = []
        /// Batches handed to the store and not yet answered, oldest first, with when each was handed over.
        var committing: [(batch: [Waiting], since: ContinuousClock.Instant)] = []
        var running = false
    }

    private let store: Store
    private let settings: IngestCommitter.Settings
    private let logger: Logger
    private let state = Mutex(State())
    private let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let batchSizes: Recorder
    private let commitDurations: Timer
    private let failures: Counter

    init(store: Store, settings: IngestCommitter.Settings, logger: Logger, metricsFactory: any MetricsFactory) {
        self.store = store
        self.settings = settings
        self.logger = logger
        // One pending wake-up covers any number of arrivals: the loop drains the whole queue.
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        batchSizes = Recorder(label: "switchboard_ingest_batch_size", factory: metricsFactory)
        // From the store taking a batch to its commit returning, the sync to disk included: what every
        // sender of the batch waited on top of the group-commit window.
        commitDurations = Timer(label: "switchboard_ingest_commit_seconds", factory: metricsFactory)
        failures = Counter(label: "switchboard_ingest_batch_failures_total", factory: metricsFactory)
    }

    var isRunning: Bool { state.withLock { $0.running } }

    var queuedCount: Int { state.withLock { $0.queue.reduce(0) { $0 + $1.requests.count } } }

    func commit(group requests: [IngestRequest]) async throws -> [Result<IngestResult, any Error>] {
        guard !requests.isEmpty else { return [] }
        // Prepared here, on the caller's task (across the cores for a mailbox fetch), so the store's
        // writer does less for each message.
        let store = store
        let requests = await requests.parallelMap { store.prepare($0) }
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let queued = state.withLock { state -> Bool in
                    guard state.running else { return false }
                    state.queue.append(Waiting(requests: requests, continuation: continuation))
                    return true
                }
                if queued { wake.yield() } else { continuation.resume(throwing: NotRunning()) }
            }
        } catch is NotRunning {
            return try await store.ingest(prepared: requests)
        }
    }

    private struct NotRunning: Error {}

    func run() async throws {
        state.withLock { $0.running = true }
        await withGracefulShutdownHandler {
            for await _ in wakeUps {
                let waiting = self.queuedCount
                if waiting < self.settings.maxBatch, self.settings.window > Duration.zero {
                    try? await Task.sleep(for: self.settings.window)
                }
                await drain()
            }
        } onGracefulShutdown: {
            self.wake.finish()
        }
        // From here on callers commit on their own; whatever queued before is committed now.
        state.withLock { $0.running = false }
        await drain()
    }

    /// Commits everything queued, a batch at a time, the store keeping its writer while more queue up.
    private func drain() async {
        while state.withLock({ !$0.queue.isEmpty }) {
            await store.ingestBatches(next: { [self] in takeBatch() }, finished: { [self] in complete($0) })
        }
    }

    /// Moves the next batch from the queue to the batches being committed: whole callers' groups, as many
    /// as fit in ``IngestCommitter/Settings/maxBatch`` messages, and always at least one.
    private func takeBatch() -> [Store.PreparedIngest]? {
        let batch = state.withLock { state -> [Waiting]? in
            guard !state.queue.isEmpty else { return nil }
            var callers = 0, messages = 0
            for waiting in state.queue {
                if callers > 0, messages + waiting.requests.count > settings.maxBatch { break }
                callers += 1
                messages += waiting.requests.count
            }
            let batch = Array(state.queue.prefix(callers))
            state.queue.removeFirst(callers)
            state.committing.append((batch, ContinuousClock.now))
            return batch
        }
        guard let batch else { return nil }
        let requests = batch.flatMap(\.requests)
        batchSizes.record(requests.count)
        return requests
    }

    /// Answers the callers of the oldest batch being committed.
    private func complete(_ outcome: Result<[Result<IngestResult, any Error>], any Error>) {
        guard let (batch, since) = state.withLock({ $0.committing.isEmpty ? nil : $0.committing.removeFirst() }) else { return }
        commitDurations.record(duration: ContinuousClock.now - since)
        switch outcome {
        case let .success(results):
            var start = 0
            for waiting in batch {
                let end = start + waiting.requests.count
                if end <= results.count {
                    waiting.continuation.resume(returning: Array(results[start..<end]))
                } else {
                    waiting.continuation.resume(throwing: SwitchboardError(.storageFailure, "the store returned too few results"))
                }
                start = end
            }
        case let .failure(error):
            failures.increment()
            logger.error("ingest batch not committed", metadata: [
                "ingest.batch_size": "\(batch.reduce(0) { $0 + $1.requests.count })", "error.type": "\(type(of: error))",
            ])
            for waiting in batch { waiting.continuation.resume(throwing: error) }
        }
    }
}
