import Logging
import Metrics
import ServiceLifecycle
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

    private let queue: any GroupCommitting

    public init(store: any IntakeStore, settings: Settings = Settings(), logger: Logger, metricsFactory: any MetricsFactory) {
        queue = Self.queue(for: store, settings: settings, logger: logger, metricsFactory: metricsFactory)
    }

    /// The queue for the store's own type, which holds requests in that store's prepared form.
    private static func queue<Store: IntakeStore>(
        for store: Store, settings: Settings, logger: Logger, metricsFactory: any MetricsFactory
    ) -> any GroupCommitting {
        GroupCommitQueue(store: store, settings: settings, logger: logger, metricsFactory: metricsFactory)
    }

    /// Whether messages are gathered into shared transactions: the service is running. Before and after,
    /// each message commits on its own.
    public var isRunning: Bool { queue.isRunning }

    /// Messages waiting for a transaction to take them (not those being committed).
    public var queuedCount: Int { queue.queuedCount }

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
        try await queue.commit(group: requests)
    }

    public func run() async throws {
        try await queue.run()
    }
}
