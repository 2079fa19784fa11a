import Foundation
import SwitchboardCore

/// A service report's figures for one group of conversations (one queue, or all of them).
///
/// - `escalationRate`: conversations with at least one `escalated` event (by an agent or by a breach) /
///   conversations.
/// - `reopenRate`: conversations resolved at least once that were reopened / conversations resolved at
///   least once. Only a resolved conversation can reopen, so that is the denominator.
/// - `firstContactResolution`: conversations resolved at least once with no `reopened` and no
///   `handed_off` event / conversations resolved at least once. Closing without resolving is not a resolution.
///
/// A rate whose denominator is 0 is nil, and is never flagged.
public struct ServiceSummary: Sendable, Equatable {
    /// The queue; nil for the report's overall figures.
    public var queue: String?
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
    /// Figures below the standards' thresholds, in ``ServiceFlag/Metric`` order.
    public var flags: [ServiceFlag]

    public var escalationRate: Double? { Self.share(escalated, of: conversations) }
    public var reopenRate: Double? { Self.share(reopened, of: resolved) }
    public var firstContactResolution: Double? { Self.share(resolvedAtFirstContact, of: resolved) }

    /// The figures of `conversations`, their clocks judged at `now`.
    /// - Parameter workingTime: the working time of a calendar id (nil: round the clock).
    public init(queue: String?, conversations rows: [ServiceReportRow], at now: Date, workingTime: (String?) -> any WorkingTime) {
        self.queue = queue
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
        flags = [
            ServiceFlag.check(.firstResponseAttainment, firstResponse.attainment, below: ServiceThresholds.slaAttainment),
            ServiceFlag.check(.resolutionAttainment, resolution.attainment, below: ServiceThresholds.slaAttainment),
            ServiceFlag.check(
                .firstContactResolution, Self.share(resolvedAtFirstContact, of: resolved), below: ServiceThresholds.firstContactResolution),
        ].compactMap { $0 }
    }

    static func share(_ part: Int, of whole: Int) -> Double? {
        whole == 0 ? nil : Double(part) / Double(whole)
    }
}
