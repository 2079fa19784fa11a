import Foundation
import SwitchboardCore

/// `GET /v1/reports/service`: how well conversations were served and how satisfied customers were, per
/// queue, per channel and overall, flagged against the standards' thresholds (``ServiceThresholds``).
/// Pure arithmetic over rows a store fetched (``ServiceReportStore``).
///
/// The cohort is the conversations created in `[from, to)`: each is reported once, in the period it
/// started, with everything that has happened to it up to the report's time (a conversation created on
/// the last day and resolved after `to` counts as resolved). Conversations are grouped by their current
/// queue. Clocks are judged at the report's time (see ``ClockAttainment``, ``ClockOutcome``).
///
/// Surveys count in the period they were answered, under the surveyed conversation's channel and its queue
/// at resolution: a queue or a channel with answers but no conversation created in the period still has
/// its summary.
public struct ServiceReport: Sendable, Equatable {
    public var from: Date
    public var to: Date
    /// The instant the clocks were judged at.
    public var generatedAt: Date
    public var overall: ServiceSummary
    /// One summary per queue with conversations in the cohort or surveys answered, by queue id.
    public var queues: [ServiceSummary]
    /// One summary per channel with conversations in the cohort or surveys answered, by channel name.
    public var channels: [ServiceSummary]

    /// The longest period a report covers: a year, with a leap day.
    public static let longestPeriod: TimeInterval = 366 * 86_400
    /// The period when none is asked for: the last 7 days.
    public static let defaultPeriod: TimeInterval = 7 * 86_400

    /// - Parameters:
    ///   - rows: the cohort (already limited to the period, the queue and the caller's scope).
    ///   - surveys: the surveys answered in the period (limited alike).
    ///   - now: when the clocks are judged.
    ///   - workingTime: the working time of a calendar id (nil: round the clock).
    public init(
        rows: [ServiceReportRow], surveys: [AnsweredSurvey] = [], from: Date, to: Date, at now: Date,
        workingTime: (String?) -> any WorkingTime
    ) {
        self.from = from
        self.to = to
        generatedAt = now
        overall = ServiceSummary(queue: nil, conversations: rows, surveys: surveys, at: now, workingTime: workingTime)
        let rowsByQueue = Dictionary(grouping: rows, by: \.queue), surveysByQueue = Dictionary(grouping: surveys, by: \.queue)
        queues = Set(rowsByQueue.keys).union(surveysByQueue.keys).sorted().map { queue in
            ServiceSummary(
                queue: queue, conversations: rowsByQueue[queue] ?? [], surveys: surveysByQueue[queue] ?? [], at: now, workingTime: workingTime)
        }
        let rowsByChannel = Dictionary(grouping: rows, by: \.channel), surveysByChannel = Dictionary(grouping: surveys, by: \.channel)
        channels = Set(rowsByChannel.keys).union(surveysByChannel.keys).sorted { $0.rawValue < $1.rawValue }.map { channel in
            ServiceSummary(
                queue: nil, channel: channel, conversations: rowsByChannel[channel] ?? [], surveys: surveysByChannel[channel] ?? [], at: now,
                workingTime: workingTime)
        }
    }
}
