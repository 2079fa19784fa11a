import Foundation
import SwitchboardCore

/// `GET /v1/reports/service`: how well conversations were served, per queue and overall, flagged against
/// the standards' thresholds (``ServiceThresholds``). Pure arithmetic over rows a store fetched
/// (``ServiceReportStore``).
///
/// The cohort is the conversations created in `[from, to)`: each is reported once, in the period it
/// started, with everything that has happened to it up to the report's time (a conversation created on
/// the last day and resolved after `to` counts as resolved). Conversations are grouped by their current
/// queue. Clocks are judged at the report's time (see ``ClockAttainment``, ``ClockOutcome``).
public struct ServiceReport: Sendable, Equatable {
    public var from: Date
    public var to: Date
    /// The instant the clocks were judged at.
    public var generatedAt: Date
    public var overall: ServiceSummary
    /// One summary per queue with conversations in the cohort, by queue id.
    public var queues: [ServiceSummary]

    /// The longest period a report covers: a year, with a leap day.
    public static let longestPeriod: TimeInterval = 366 * 86_400
    /// The period when none is asked for: the last 7 days.
    public static let defaultPeriod: TimeInterval = 7 * 86_400

    /// - Parameters:
    ///   - rows: the cohort (already limited to the period, the queue and the caller's scope).
    ///   - now: when the clocks are judged.
    ///   - workingTime: the working time of a calendar id (nil: round the clock).
    public init(rows: [ServiceReportRow], from: Date, to: Date, at now: Date, workingTime: (String?) -> any WorkingTime) {
        self.from = from
        self.to = to
        generatedAt = now
        overall = ServiceSummary(queue: nil, conversations: rows, at: now, workingTime: workingTime)
        queues = Dictionary(grouping: rows, by: \.queue)
            .sorted { $0.key < $1.key }
            .map { ServiceSummary(queue: $0.key, conversations: $0.value, at: now, workingTime: workingTime) }
    }
}
