import Foundation
import SwitchboardCore

/// One conversation of a service report's cohort, as a store reads it: where it is now, when it started,
/// the audit events the report counts, the logs of the clocks it measures and whether its customer came
/// back with another conversation. Plain values, so the
/// arithmetic (``ServiceReport``) is the same whatever store fetched them.
public struct ServiceReportRow: Sendable, Equatable {
    public var conversationID: String
    /// The conversation's current queue: an escalated or handed-off conversation counts where it ended up.
    public var queue: String
    public var channel: ChannelKind
    public var createdAt: Date
    /// The kinds of audit events the conversation has had at least once, whenever they happened (a reopen
    /// after the reporting period still counts against its resolution).
    public var events: Set<LifecycleEvent.Kind>
    /// The `first_response` and `resolution` logs, each in the order written (other clocks may be present
    /// and are ignored).
    public var clockLogs: [ClockKind: [ClockEvent]]
    /// The same customer (same channel and source, address compared case-insensitively) opened another
    /// conversation within ``repeatContactWindow`` after this one was created, up to the report's time. A
    /// follow-up the gateway opened (after a low survey score, or as a resolution's follow-up task) is not
    /// the customer coming back.
    public var repeatContact: Bool

    public init(
        conversationID: String, queue: String, channel: ChannelKind, createdAt: Date, events: Set<LifecycleEvent.Kind>,
        clockLogs: [ClockKind: [ClockEvent]], repeatContact: Bool = false
    ) {
        self.conversationID = conversationID
        self.queue = queue
        self.channel = channel
        self.createdAt = createdAt
        self.events = events
        self.clockLogs = clockLogs
        self.repeatContact = repeatContact
    }

    /// How soon after a conversation another one from its customer counts as a repeat contact: 7 days.
    public static let repeatContactWindow: TimeInterval = 7 * 86_400

    /// The audit event kinds a report counts; a store need fetch no others.
    public static let countedEvents: Set<LifecycleEvent.Kind> = [.escalated, .reopened, .handedOff, .resolved]
}
