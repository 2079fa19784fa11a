import Channels
import Conversations

/// One item of `notifications.targets`: who hears of which events (the rules of that live in
/// ``NotificationTarget``) and where they are POSTed.
public struct NotificationTargetSettings: Sendable {
    public var target: NotificationTarget
    public var endpoint: NotificationEndpoint

    public init(target: NotificationTarget, endpoint: NotificationEndpoint) {
        self.target = target
        self.endpoint = endpoint
    }
}
