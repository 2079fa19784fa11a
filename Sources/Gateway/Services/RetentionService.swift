import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SwitchboardCore

/// Purges what is past its retention period, on a schedule: messages, final outbox entries, events and
/// emptied conversations after `messages` (3 years by default), access records after `accessLog` (5 years).
public struct RetentionService: Service {
    /// How long things are kept, and how often the purge runs.
    public struct Policy: Sendable {
        /// Messages, final outbox entries, events and emptied conversations.
        public var messages: Duration
        /// Access records, kept at least as long as messages.
        public var accessLog: Duration
        /// Between purges; the first waits one interval too.
        public var interval: Duration

        public init(messages: Duration = .seconds(3 * 365 * 86400), accessLog: Duration = .seconds(5 * 365 * 86400), interval: Duration = .seconds(86400)) {
            self.messages = messages
            self.accessLog = accessLog
            self.interval = interval
        }
    }

    private let store: any StoreMaintenance
    private let policy: Policy
    private let logger: Logger
    private let purged: Counter

    public init(store: any StoreMaintenance, policy: Policy, logger: Logger, metricsFactory: any MetricsFactory) {
        self.store = store
        self.policy = policy
        self.logger = logger
        purged = Counter(label: "switchboard_retention_purged_total", factory: metricsFactory)
    }

    public func run() async throws {
        // The first pass waits one interval: a restart loop must not turn into a purge loop.
        while !Task.isShuttingDownGracefully {
            let interval = policy.interval
            let slept: Void? = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            if slept == nil || Task.isShuttingDownGracefully { return }
            await purgeOnce()
        }
    }

    /// One pass; failures are logged and the next pass tries again.
    @discardableResult
    public func purgeOnce(now: Date = Date()) async -> PurgeCounts? {
        do {
            let counts = try await store.purge(
                before: now.addingTimeInterval(-policy.messages.inSeconds), accessLogBefore: now.addingTimeInterval(-policy.accessLog.inSeconds))
            purged.increment(by: counts.total)
            logger.info("retention purge done", metadata: [
                "retention.messages": "\(counts.messages)", "retention.conversations": "\(counts.conversations)",
                "retention.outbox": "\(counts.outboxEntries)", "retention.events": "\(counts.events)",
                "retention.access_log": "\(counts.accessRecords)", "retention.uploads": "\(counts.attachments)",
                "retention.blobs": "\(counts.attachmentBlobs)",
            ])
            return counts
        } catch {
            logger.error("retention purge failed; the next pass retries", metadata: ["error.type": "\(type(of: error))"])
            return nil
        }
    }
}
