import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import SwitchboardCore

/// Group commit for inbound messages. Requests that arrive together share one transaction, and so one
/// sync to disk: while one batch commits, the next gathers, and each caller is answered only once the
/// transaction holding its message has committed. A failed commit fails every caller of that batch
/// (the HTTP layer answers them 503 with `Retry-After`), and nothing of the batch is stored.
///
/// It runs as a `Service`; before it runs and after it has stopped, messages are committed one by one,
/// so tools that never start the service group (`switchboard ingest`) work unchanged.
public final class IngestCommitter: Service, Sendable {
    /// How batches are formed.
    public struct Settings: Sendable {
        /// How long the committer waits after the first message of a batch for others to join it. Zero
        /// batches only what queued up during the previous commit.
        public var window: Duration
        /// The most messages in one transaction.
        public var maxBatch: Int

        public init(window: Duration = .milliseconds(1), maxBatch: Int = 256) {
            self.window = window
            self.maxBatch = maxBatch
        }
    }

    /// One caller's requests: a single message, or a group that must share a transaction.
    private struct Waiting {
        var requests: [IngestRequest]
        var continuation: CheckedContinuation<[Result<IngestResult, any Error>], any Error>
    }

    private struct State {
        var queue: [Waiting] = []
        /// Batches handed to the store and not yet answered, oldest first, with when each was handed over.
        var committing: [(batch: [Waiting], since: ContinuousClock.Instant)] = []
        var running = false
    }

    private let store: any IntakeStore
    private let settings: Settings
    private let logger: Logger
    private let state = Mutex(State())
    private let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let batchSizes: Recorder
    private let commitDurations: Timer
    private let failures: Counter

    public init(store: any IntakeStore, settings: Settings = Settings(), logger: Logger, metricsFactory: any MetricsFactory) {
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

    /// Whether messages are gathered into shared transactions: the service is running. Before and after,
    /// each message commits on its own.
    public var isRunning: Bool { state.withLock { $0.running } }

    /// Messages waiting for a transaction to take them (not those being committed).
    public var queuedCount: Int { state.withLock { $0.queue.reduce(0) { $0 + $1.requests.count } } }

    /// Commits one message, sharing the transaction with whatever arrives with it.
    /// - Throws: the store's error when the transaction (or this message's part of it) failed.
    public func commit(_ request: IngestRequest) async throws -> IngestResult {
        guard let result = try await commit(group: [request]).first else {
            throw SwitchboardError(.storageFailure, "the store returned no result for the message")
        }
        return try result.get()
    }

    /// Commits messages that must share one transaction (a chain of ``IngestRequest/followsPrevious``
    /// requests, one mailbox fetch): the group is never split across batches, though other callers'
    /// messages may share its transaction. A group larger than ``Settings/maxBatch`` is a batch of its own.
    /// - Returns: one result per request, in order.
    /// - Throws: the store's error when the transaction failed; then nothing of the group was stored.
    public func commit(group requests: [IngestRequest]) async throws -> [Result<IngestResult, any Error>] {
        guard !requests.isEmpty else { return [] }
        let requests = requests.map { store.prepare($0) }
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
            return try await store.ingest(requests)
        }
    }

    private struct NotRunning: Error {}

    public func run() async throws {
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
    /// as fit in ``Settings/maxBatch`` messages, and always at least one.
    private func takeBatch() -> [IngestRequest]? {
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
