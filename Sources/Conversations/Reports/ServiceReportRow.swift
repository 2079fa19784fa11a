import Foundation
import SwitchboardCore

/// One conversation of a service report's cohort, as a store reads it: where it is now, when it started,
/// the audit events the report counts and the logs of the clocks it measures. Plain values, so the
/// arithmetic (``ServiceReport``) is the same whatever store fetched them.
public struct ServiceReportRow: Sendable, Equatable {
    public var conversationID: String
    /// The conversation's current queue: an escalated or handed-off conversation counts where it ended up.
    public var queue: String
    public var createdAt: Date
    /// The kinds of audit events the conversation has had at least once, whenever they happened (a reopen
    /// after the reporting period still counts against its resolution).
    public var events: Set<LifecycleEvent.Kind>
    /// The `first_response` and `resolution` logs, each in the order written (other clocks may be present
    /// and are ignored).
    public var clockLogs: [ClockKind: [ClockEvent]]

    public init(
        conversationID: String, queue: String, createdAt: Date, events: Set<LifecycleEvent.Kind>, clockLogs: [ClockKind: [ClockEvent]]
    ) {
        self.conversationID = conversationID
        self.queue = queue
        self.createdAt = createdAt
        self.events = events
        self.clockLogs = clockLogs
    }

    /// The audit event kinds a report counts; a store need fetch no others.
    public static let countedEvents: Set<LifecycleEvent.Kind> = [.escalated, .reopened, .handedOff, .resolved]
}
