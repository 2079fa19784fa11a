import Conversations
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import SwitchboardCore

/// Keeps the service levels of the last ``window`` on `/metrics`, for the alerting rules in
/// `Config/prometheus/alerts.yaml`. Each figure has two gauge families, one by queue and one by channel,
/// so every series of a family carries the same labels:
/// - by queue, overall as `queue="all"`:
///   - `switchboard_sla_attainment_ratio{queue,clock}` (`first_response`, `resolution`);
///   - `switchboard_first_contact_resolution_ratio{queue}`;
///   - `switchboard_escalation_ratio{queue}`, `switchboard_reopen_ratio{queue}`;
///   - `switchboard_repeat_contact_ratio{queue}`;
///   - `switchboard_csat_ratio{queue}` (a share from 0 to 1), `switchboard_nps_score{queue}` (−100 to 100);
/// - by channel, the same names with `channel` in front (`switchboard_channel_csat_ratio{channel}`, …,
///   `switchboard_channel_sla_attainment_ratio{channel,clock}`), with no `all` (that is `queue="all"`).
///
/// They are the service report's figures (``ServiceReports``), recomputed every ``interval``: a figure with
/// nothing to measure is `NaN`, which no threshold alert fires on. A queue or a channel that drops out of
/// the window reads `NaN` from then on, rather than its last figure.
public final class ServiceLevelGauges: Service {
    public static let attainmentLabel = "switchboard_sla_attainment_ratio"
    public static let firstContactResolutionLabel = "switchboard_first_contact_resolution_ratio"
    public static let escalationLabel = "switchboard_escalation_ratio"
    public static let reopenLabel = "switchboard_reopen_ratio"
    public static let repeatContactLabel = "switchboard_repeat_contact_ratio"
    public static let csatLabel = "switchboard_csat_ratio"
    public static let npsLabel = "switchboard_nps_score"
    /// The by-channel family of a by-queue one: `switchboard_csat_ratio` → `switchboard_channel_csat_ratio`.
    public static func byChannel(_ label: String) -> String {
        "switchboard_channel_" + label.dropFirst("switchboard_".count)
    }

    /// The lease's name, the same on every gateway.
    public static let leaseName = "service-level-gauges"

    private let reports: ServiceReports
    private let lease: PollingLease?
    private let window: TimeInterval
    private let interval: Duration
    private let logger: Logger
    private let metricsFactory: any MetricsFactory
    /// The queues and channels given figures by the last refresh.
    private let recorded = Mutex<(queues: Set<String>, channels: Set<ChannelKind>)>(([], []))

    /// - Parameters:
    ///   - window: how far back the conversations counted were created, and the surveys answered (a
    ///     rolling week by default).
    ///   - interval: how often the figures are recomputed.
    ///   - lease: with several gateways on one store, the lease (``leaseName``) that lets one of them at a time
    ///     compute the figures, which are the same whichever node computes them: the others read `NaN`, on which
    ///     no alert fires, rather than each reading a week of conversations every interval. It must last longer
    ///     than the interval, since the holder renews it once per refresh. Nil computes them on every node.
    public init(
        reports: ServiceReports, window: TimeInterval = ServiceReport.defaultPeriod, interval: Duration = .seconds(60),
        lease: PollingLease? = nil, logger: Logger, metricsFactory: any MetricsFactory
    ) {
        self.reports = reports
        self.lease = lease
        self.window = window
        self.interval = interval
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// Recomputes the gauges once.
    public func refresh() async throws {
        let now = reports.now()
        let report = try await reports.report(from: now.addingTimeInterval(-window), to: now, queue: nil, sources: nil, queues: nil)
        let queues = Set(report.queues.compactMap(\.queue)), channels = Set(report.channels.compactMap(\.channel))
        let (goneQueues, goneChannels) = recorded.withLock { recorded in
            defer { recorded = (queues, channels) }
            return (recorded.queues.subtracting(queues), recorded.channels.subtracting(channels))
        }
        record(report.overall, dimension: ("queue", "all"), rename: { $0 })
        for summary in report.queues {
            record(summary, dimension: ("queue", summary.queue ?? "all"), rename: { $0 })
        }
        for queue in goneQueues {
            record(nil, dimension: ("queue", queue), rename: { $0 })
        }
        for summary in report.channels {
            record(summary, dimension: ("channel", summary.channel?.rawValue ?? ""), rename: Self.byChannel)
        }
        for channel in goneChannels {
            record(nil, dimension: ("channel", channel.rawValue), rename: Self.byChannel)
        }
    }

    public func run() async throws {
        // Whether this gateway computed the figures last time: an operator sees in the log which node does.
        var computing = false
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                let holds = try await lease?.acquire(Self.leaseName) ?? true
                if holds {
                    try await refresh()
                } else if computing {
                    clear()
                }
                if let lease, holds != computing {
                    logger.notice(
                        holds ? "this gateway computes the service-level gauges now" : "another gateway computes the service-level gauges now",
                        metadata: ["node.id": "\(lease.node)"])
                }
                computing = holds
            } catch {
                logger.error("service level gauges not refreshed", metadata: ["error.type": "\(type(of: error))"])
            }
            let pause = interval
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
        // Given up at shutdown, so another gateway takes the figures over at once rather than when the lease runs out.
        await lease?.release(Self.leaseName)
    }

    /// Sets every figure this gateway published to `NaN`: another gateway computes them now, and a figure left
    /// here would go stale beside its.
    func clear() {
        let gone = recorded.withLock { recorded in
            defer { recorded = ([], []) }
            return recorded
        }
        record(nil, dimension: ("queue", "all"), rename: { $0 })
        for queue in gone.queues { record(nil, dimension: ("queue", queue), rename: { $0 }) }
        for channel in gone.channels { record(nil, dimension: ("channel", channel.rawValue), rename: Self.byChannel) }
    }

    /// Records a group's figures; every one `NaN` when `summary` is nil (the group has left the window).
    private func record(_ summary: ServiceSummary?, dimension: (String, String), rename: (String) -> String) {
        func gauge(_ label: String, _ value: Double?, _ extra: [(String, String)] = []) {
            Gauge(label: rename(label), dimensions: [dimension] + extra, factory: metricsFactory).record(value ?? .nan)
        }
        gauge(Self.attainmentLabel, summary?.firstResponse.attainment, [("clock", ClockKind.firstResponse.rawValue)])
        gauge(Self.attainmentLabel, summary?.resolution.attainment, [("clock", ClockKind.resolution.rawValue)])
        gauge(Self.firstContactResolutionLabel, summary?.firstContactResolution)
        gauge(Self.escalationLabel, summary?.escalationRate)
        gauge(Self.reopenLabel, summary?.reopenRate)
        gauge(Self.repeatContactLabel, summary?.repeatContactRate)
        gauge(Self.csatLabel, summary?.csat)
        gauge(Self.npsLabel, summary?.nps)
    }
}
