import Conversations
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SwitchboardCore

/// Keeps the service levels of the last ``window`` on `/metrics`, overall (`queue="all"`) and per queue,
/// for the alerting rules in `Config/prometheus/alerts.yaml`:
/// - `switchboard_sla_attainment_ratio{queue,clock}` (`first_response`, `resolution`);
/// - `switchboard_first_contact_resolution_ratio{queue}`;
/// - `switchboard_escalation_ratio{queue}` and `switchboard_reopen_ratio{queue}`.
///
/// They are the service report's figures (``ServiceReports``), recomputed every ``interval``: a ratio with
/// nothing to divide is `NaN`, which no threshold alert fires on.
public final class ServiceLevelGauges: Service {
    public static let attainmentLabel = "switchboard_sla_attainment_ratio"
    public static let firstContactResolutionLabel = "switchboard_first_contact_resolution_ratio"
    public static let escalationLabel = "switchboard_escalation_ratio"
    public static let reopenLabel = "switchboard_reopen_ratio"

    private let reports: ServiceReports
    private let window: TimeInterval
    private let interval: Duration
    private let logger: Logger
    private let metricsFactory: any MetricsFactory

    /// - Parameters:
    ///   - window: how far back the conversations counted were created (a rolling week by default).
    ///   - interval: how often the figures are recomputed.
    public init(
        reports: ServiceReports, window: TimeInterval = ServiceReport.defaultPeriod, interval: Duration = .seconds(60), logger: Logger,
        metricsFactory: any MetricsFactory
    ) {
        self.reports = reports
        self.window = window
        self.interval = interval
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// Recomputes the gauges once.
    public func refresh() async throws {
        let now = reports.now()
        let report = try await reports.report(from: now.addingTimeInterval(-window), to: now, queue: nil, sources: nil, queues: nil)
        record(report.overall, queue: "all")
        for summary in report.queues {
            record(summary, queue: summary.queue ?? "all")
        }
    }

    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await refresh()
            } catch {
                logger.error("service level gauges not refreshed", metadata: ["error.type": "\(type(of: error))"])
            }
            let pause = interval
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }

    private func record(_ summary: ServiceSummary, queue: String) {
        func gauge(_ label: String, _ value: Double?, _ extra: [(String, String)] = []) {
            Gauge(label: label, dimensions: [("queue", queue)] + extra, factory: metricsFactory).record(value ?? .nan)
        }
        gauge(Self.attainmentLabel, summary.firstResponse.attainment, [("clock", ClockKind.firstResponse.rawValue)])
        gauge(Self.attainmentLabel, summary.resolution.attainment, [("clock", ClockKind.resolution.rawValue)])
        gauge(Self.firstContactResolutionLabel, summary.firstContactResolution)
        gauge(Self.escalationLabel, summary.escalationRate)
        gauge(Self.reopenLabel, summary.reopenRate)
    }
}
