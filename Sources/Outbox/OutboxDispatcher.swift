import Digests
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SwitchboardCore

/// Delivers the shared outbox: claims due entries (each with its conversation and the message it answers,
/// in one trip to the store), hands each to its channel, lets the ``RetryPolicy`` decide the outcome, and
/// records it with an audit event per attempt. Runs in the gateway's service group.
public final class OutboxDispatcher: Service {
    /// How the dispatcher polls, how many deliveries it runs at once, and how it retries.
    public struct Settings: Sendable {
        public var retry: RetryPolicy
        /// The longest wait between polls; a commit that queues a reply wakes it sooner.
        public var pollInterval: Duration
        /// Deliveries in flight at once.
        public var concurrency: Int

        public init(retry: RetryPolicy = RetryPolicy(), pollInterval: Duration = .milliseconds(250), concurrency: Int = 8) {
            self.retry = retry
            self.pollInterval = pollInterval
            self.concurrency = concurrency
        }
    }

    private let store: any OutboxStore
    private let channels: [ChannelKind: any OutboundChannel]
    private let retry: RetryPolicy
    private let pollInterval: Duration
    private let concurrency: Int
    private let logger: Logger
    private let metricsFactory: any MetricsFactory
    /// The clock entries fall due by: a notification held for quiet hours waits for this clock's morning.
    private let now: @Sendable () -> Date
    /// Signalled when a commit queued a reply, so the next poll happens at once.
    private let wakeUp = WakeSignal()

    public init(
        store: any OutboxStore,
        channels: [any OutboundChannel],
        settings: Settings = Settings(),
        logger: Logger,
        metricsFactory: any MetricsFactory,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.now = now
        self.store = store
        self.channels = Dictionary(channels.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.retry = settings.retry
        self.pollInterval = settings.pollInterval
        self.concurrency = settings.concurrency
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// Asks for a poll now instead of at the next interval.
    public func wake() {
        wakeUp.signal()
    }

    public func run() async throws {
        let requeued = try await store.requeueAbandonedDeliveries(now: now())
        if requeued > 0 {
            logger.notice("returned deliveries abandoned by a previous process to the queue", metadata: ["outbox.requeued": "\(requeued)"])
        }
        // A sliding window: up to `concurrency` deliveries in flight, a free slot refilled as soon as one
        // finishes, so one slow receiver holds only its own slot. On graceful shutdown no more are claimed and
        // those in flight finish.
        await withTaskGroup(of: Bool.self) { group in
            var inFlight = 0
            var waiting = false
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                var claimed: [ClaimedDelivery] = []
                if inFlight < concurrency {
                    do {
                        claimed = try await store.claimDueOutbox(now: now(), limit: concurrency - inFlight)
                    } catch {
                        logger.error("outbox poll failed", metadata: ["error.type": "\(type(of: error))", "error": "\(loggableDescription(error))"])
                    }
                }
                for delivery in claimed {
                    group.addTask {
                        await self.deliver(delivery)
                        return true
                    }
                    inFlight += 1
                }
                if !claimed.isEmpty, inFlight < concurrency { continue }
                // Wait for a delivery to finish, or for the next poll (a wake-up, a retry falling due).
                if !waiting {
                    group.addTask {
                        await self.idle()
                        return false
                    }
                    waiting = true
                }
                guard let finishedDelivery = await group.next() else { break }
                if finishedDelivery { inFlight -= 1 } else { waiting = false }
            }
            logger.debug("outbox dispatcher stopping", metadata: ["outbox.in_flight": "\(inFlight)", "outbox.waiting": "\(waiting)"])
            await group.waitForAll()
        }
        logger.debug("outbox dispatcher stopped")
    }

    private func deliver(_ claimed: ClaimedDelivery) async {
        let entry = claimed.entry
        let answer: DeliveryOutcome
        if let hold = entry.approval, Digest.hex(Digest.sha256(entry.body)) != hold.contentSHA256 {
            // What a supervisor approved is what goes out, or nothing: the body no longer hashes to it.
            answer = .failed(error: "content changed after approval")
        } else if let channel = channels[entry.channel] {
            if let conversation = claimed.conversation {
                answer = await channel.deliver(claimed, conversation: conversation)
            } else {
                answer = .failed(error: "the reply's conversation does not exist")
            }
        } else {
            answer = .failed(error: "no outbound channel is configured for '\(entry.channel)'")
        }
        let now = self.now()
        let outcome = retry.decide(answer, attempt: entry.attempts)
        Counter(
            label: "switchboard_deliveries_total", dimensions: [("channel", entry.channel.rawValue), ("result", outcome.label)],
            factory: metricsFactory
        ).increment()
        let metadata: Logger.Metadata = [
            "outbox.id": "\(entry.id)", "outbox.attempt": "\(entry.attempts)", "outbox.channel": "\(entry.channel)",
            "delivery.result": "\(outcome.label)",
        ]
        let what = entry.channel == .notification ? "notification" : "reply"
        switch outcome {
        case .delivered: logger.info("\(what) delivered", metadata: metadata)
        case .submitted: logger.info("\(what) handed to the provider; waiting for its delivery report", metadata: metadata)
        case .retry: logger.notice("\(what) delivery will be retried", metadata: metadata)
        case .failed, .deadLettered: logger.error("\(what) delivery gave up", metadata: metadata)
        }
        do {
            try await store.recordDelivery(outboxID: entry.id, outcome: outcome, now: now)
        } catch {
            // The entry stays `sending` and is re-queued at the next start: at least once, never lost.
            logger.error("could not record a delivery outcome", metadata: ["outbox.id": "\(entry.id)", "error.type": "\(type(of: error))"])
        }
    }

    /// Waits up to one poll interval, or less when the earliest retry or a wake-up comes sooner; a
    /// graceful shutdown ends the wait.
    private func idle() async {
        let due = try? await store.nextOutboxDueDate()
        let current = now()
        let timeout = min(pollInterval, due.map { .seconds(max(0, $0.timeIntervalSince(current))) } ?? pollInterval)
        _ = await cancelWhenGracefulShutdown { await self.wakeUp.wait(upTo: timeout) }
    }
}
