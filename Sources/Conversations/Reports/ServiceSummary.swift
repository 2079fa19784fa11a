import Foundation
import SwitchboardCore

/// A service report's figures for one group of conversations (one queue, one channel, or all of them)
/// and of the surveys answered in the period for that group.
///
/// - `escalationRate`: conversations with at least one `escalated` event (by an agent or by a breach) /
///   conversations.
/// - `reopenRate`: conversations resolved at least once that were reopened / conversations resolved at
///   least once. Only a resolved conversation can reopen, so that is the denominator.
/// - `firstContactResolution`: conversations resolved at least once with no `reopened` and no
///   `handed_off` event / conversations resolved at least once. Closing without resolving is not a resolution.
/// - `repeatContactRate`: conversations whose customer opened another one within 7 days / conversations
///   (see ``ServiceReportRow/repeatContact``). A conversation created less than 7 days before the report
///   may still become a repeat contact, so a recent period's rate can still rise.
/// - `csat` and `nps`: of the surveys answered in the period (``SurveyScores``), grouped by the surveyed
///   conversation's channel and its queue at resolution, not by the cohort of conversations.
///
/// A rate whose denominator is 0 is nil, and is never flagged.
public struct ServiceSummary: Sendable, Equatable {
    /// The queue, for a report's per-queue figures; nil otherwise.
    public var queue: String?
    /// The channel, for a report's per-channel figures; nil otherwise.
    public var channel: ChannelKind?
    public var conversations: Int
    public var firstResponse: ClockAttainment
    public var resolution: ClockAttainment
    /// Conversations escalated at least once.
    public var escalated: Int
    /// Conversations resolved at least once.
    public var resolved: Int
    /// Conversations resolved at least once and reopened.
    public var reopened: Int
    /// Conversations resolved at least once with no reopen and no hand-off.
    public var resolvedAtFirstContact: Int
    /// Conversations whose customer opened another within 7 days.
    public var repeatContacts: Int
    /// The answered surveys' figures.
    public var surveys: SurveyScores
    /// Figures below the standards' thresholds, in ``ServiceFlag/Metric`` order.
    public var flags: [ServiceFlag]

    public var escalationRate: Double? { Self.share(escalated, of: conversations) }
    public var reopenRate: Double? { Self.share(reopened, of: resolved) }
    public var firstContactResolution: Double? { Self.share(resolvedAtFirstContact, of: resolved) }
    public var repeatContactRate: Double? { Self.share(repeatContacts, of: conversations) }
    public var csat: Double? { surveys.csat }
    public var nps: Double? { surveys.nps }

    /// The figures of `conversations` and of `surveys`, the clocks judged at `now`.
    /// - Parameters:
    ///   - queue: the group's queue; nil when it is not one queue.
    ///   - channel: the group's channel; nil when it is not one channel.
    ///   - workingTime: the working time of a calendar id (nil: round the clock).
    public init(
        queue: String?, channel: ChannelKind? = nil, conversations rows: [ServiceReportRow], surveys answered: [AnsweredSurvey] = [],
        at now: Date, workingTime: (String?) -> any WorkingTime
    ) {
        self.queue = queue
        self.channel = channel
        conversations = rows.count
        func outcomes(_ kind: ClockKind) -> [ClockOutcome] {
            rows.flatMap { ClockOutcome.outcomes(of: kind, log: $0.clockLogs[kind] ?? [], at: now, workingTime: workingTime) }
        }
        firstResponse = ClockAttainment(outcomes(.firstResponse))
        resolution = ClockAttainment(outcomes(.resolution))
        escalated = rows.filter { $0.events.contains(.escalated) }.count
        let resolvedRows = rows.filter { $0.events.contains(.resolved) }
        resolved = resolvedRows.count
        reopened = resolvedRows.filter { $0.events.contains(.reopened) }.count
        resolvedAtFirstContact = resolvedRows.filter { $0.events.isDisjoint(with: [.reopened, .handedOff]) }.count
        repeatContacts = rows.filter(\.repeatContact).count
        surveys = SurveyScores(answered)
        flags = [
            ServiceFlag.check(.firstResponseAttainment, firstResponse.attainment, below: ServiceThresholds.slaAttainment),
            ServiceFlag.check(.resolutionAttainment, resolution.attainment, below: ServiceThresholds.slaAttainment),
            ServiceFlag.check(
                .firstContactResolution, Self.share(resolvedAtFirstContact, of: resolved), below: ServiceThresholds.firstContactResolution),
            ServiceFlag.check(.csat, surveys.csat, below: ServiceThresholds.csat),
        ].compactMap { $0 }
    }

    static func share(_ part: Int, of whole: Int) -> Double? {
        whole == 0 ? nil : Double(part) / Double(whole)
    }
}
