/// What a store needs to queue notifications: who is told of an event, with what, and when. Read from the
/// configuration and the rules in force at the moment of asking.
public protocol NotificationRules: Sendable {
    /// The notifications an event makes, one per target that hears of it; empty for none.
    func notifications(for event: NotificationEvent) -> [PlannedNotification]
}
