import SwitchboardCore

/// A receiver of notifications, as the rules of who-hears-what see it (its URL and secret are the
/// channel's business).
public struct NotificationTarget: Sendable, Equatable {
    /// When a target's notifications below level 1 may go out.
    public enum QuietHours: Sendable, Equatable {
        /// At once, day and night.
        case none
        /// While the conversation's SLA policy's calendar is open (a round-the-clock policy never holds one back).
        case policyCalendar
        /// While this calendar of the rules is open.
        case calendar(String)
    }

    /// The name `on_breach.notify` uses.
    public var id: String
    /// The events it receives for every conversation (of `queues`, when set); a policy's
    /// `on_breach.notify` adds that policy's breaches.
    public var events: Set<NotificationEvent.Kind>
    /// Only conversations in these queues (after the change); nil for all.
    public var queues: Set<String>?
    public var quietHours: QuietHours

    public init(id: String, events: Set<NotificationEvent.Kind> = Set(NotificationEvent.Kind.allCases), queues: Set<String>? = nil, quietHours: QuietHours = .policyCalendar) {
        self.id = id
        self.events = events
        self.queues = queues
        self.quietHours = quietHours
    }
}
