import Conversations
import Foundation
import SwitchboardCore

/// Service reports (`GET /v1/reports/service`): the store's rows for a period, judged by the clock rules
/// in force, at the time of an injected clock (the one the SLA timers run on, so a test that moves it
/// sees the clocks the timers see).
public struct ServiceReports: Sendable {
    private let store: any ServiceReportStore
    private let clockRules: any ClockRules
    /// The report's time: clocks are judged at it, and the default period ends at it.
    public let now: @Sendable () -> Date

    public init(store: any ServiceReportStore, clockRules: any ClockRules, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.clockRules = clockRules
        self.now = now
    }

    /// The report on conversations created in `[from, to)`.
    /// - Parameters:
    ///   - queue: only conversations now in this queue; nil for all.
    ///   - sources: only these sources' conversations (a scoped token's); nil for all.
    ///   - queues: only conversations now in these queues, and surveys of conversations resolved in them (a
    ///     scoped token's); nil for all.
    public func report(from: Date, to: Date, queue: String?, sources: Set<String>?, queues: Set<String>?) async throws -> ServiceReport {
        let at = now()
        var rows = try await store.serviceReportRows(from: from, to: to, queue: queue, sources: sources)
        var surveys = try await store.answeredSurveys(from: from, to: to, queue: queue, sources: sources)
        if let queues {
            rows.removeAll { !queues.contains($0.queue) }
            surveys.removeAll { !queues.contains($0.queue) }
        }
        let rules = clockRules
        return ServiceReport(rows: rows, surveys: surveys, from: from, to: to, at: at) { rules.workingTime(calendar: $0) }
    }
}
