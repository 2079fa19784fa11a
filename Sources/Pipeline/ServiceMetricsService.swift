import Conversations
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import SwitchboardCore

/// Observes the service-time histograms `switchboard_first_response_seconds{queue}` and
/// `switchboard_resolution_seconds{queue}`: once per fulfilled `first_response` and `resolution` count, its
/// counted time as ``ServiceClock`` computes it from the log (working time on a business calendar, paused
/// time left out), labelled with the conversation's queue when it is read.
///
/// It reads the clock logs after the last entry it saw, every `interval`, rather than being told by the
/// code that writes them, so no transaction of intake or agents' actions does metrics work.
///
/// Restarts: the service starts after the newest entry already logged, so a fulfilment is observed by
/// the process that was running when it was logged, and never again after a restart. Fulfilments logged
/// while no process ran are not observed (the histograms start empty with each process anyway, like every
/// Prometheus metric; the service report has the full history).
public final class ServiceMetricsService: Service {
    /// The first-response histogram's name.
    public static let firstResponseLabel = "switchboard_first_response_seconds"
    /// The resolution histogram's name.
    public static let resolutionLabel = "switchboard_resolution_seconds"
    /// Upper bounds, in seconds, from a minute to a week: the standards' targets run from 15 minutes
    /// (crisis) to 48 hours (resolution of a request), and business-time clocks count only open hours.
    public static let buckets: [Double] = [60, 300, 900, 1_800, 3_600, 7_200, 14_400, 28_800, 86_400, 172_800, 345_600, 604_800]
    /// The buckets by histogram name, for a metrics factory that takes them per label.
    public static var histogramBuckets: [String: [Double]] { [firstResponseLabel: buckets, resolutionLabel: buckets] }

    static let observed: Set<ClockKind> = [.firstResponse, .resolution]
    static let batch = 500

    private let store: any FulfilledClockFeed
    private let clockRules: any ClockRules
    private let interval: Duration
    private let logger: Logger
    private let metricsFactory: any MetricsFactory
    private let wakeUp = WakeSignal()
    /// The position of the last log entry looked at; nil until ``start()``.
    private let position = Mutex<Int64?>(nil)

    /// - Parameter interval: how often the logs are read; a fulfilment shows on `/metrics` at most this late.
    public init(
        store: any FulfilledClockFeed, clockRules: any ClockRules, interval: Duration = .seconds(5), logger: Logger,
        metricsFactory: any MetricsFactory
    ) {
        self.store = store
        self.clockRules = clockRules
        self.interval = interval
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// Takes the newest log entry as the starting point: only fulfilments logged after it are observed.
    public func start() async throws {
        let latest = try await store.latestClockLogSequence()
        position.withLock { $0 = latest }
    }

    /// Observes the fulfilments logged since the last look, in batches; returns how many were observed.
    /// Before ``start()`` it starts instead, observing nothing.
    @discardableResult
    public func tick() async throws -> Int {
        guard var after = position.withLock({ $0 }) else {
            try await start()
            return 0
        }
        let rules = clockRules
        var observed = 0
        while true {
            let found = try await store.fulfilledClocks(after: after, kinds: Self.observed, limit: Self.batch)
            for fulfilment in found {
                if let seconds = fulfilment.countedSeconds(workingTime: { rules.workingTime(calendar: $0) }) {
                    record(seconds, of: fulfilment)
                    observed += 1
                }
                after = fulfilment.sequence
            }
            position.withLock { $0 = after }
            if found.count < Self.batch { return observed }
        }
    }

    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await tick()
            } catch {
                logger.error("reading the clock logs for the service-time metrics failed", metadata: ["error.type": "\(type(of: error))"])
            }
            let wait = interval
            _ = await cancelWhenGracefulShutdown { await self.wakeUp.wait(upTo: wait) }
        }
    }

    private func record(_ seconds: Double, of fulfilment: FulfilledClock) {
        let label = fulfilment.kind == .firstResponse ? Self.firstResponseLabel : Self.resolutionLabel
        Recorder(label: label, dimensions: [("queue", fulfilment.queue)], aggregate: true, factory: metricsFactory).record(seconds)
    }
}
