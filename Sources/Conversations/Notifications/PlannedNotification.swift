import Foundation

/// A notification to queue: for one target, its JSON payload, and when it may first be sent.
public struct PlannedNotification: Sendable, Equatable {
    public var target: String
    public var kind: NotificationEvent.Kind
    /// The Standard Webhooks payload (`type`, `timestamp`, `data`), fixed when the event happens so a retry
    /// days later still says what was true then.
    public var payload: String
    /// The event's time, or the opening of the target's calendar when quiet hours hold it back.
    public var notBefore: Date

    public init(target: String, kind: NotificationEvent.Kind, payload: String, notBefore: Date) {
        self.target = target
        self.kind = kind
        self.payload = payload
        self.notBefore = notBefore
    }
}
