/// Where a notification target's events are POSTed, and the `whsec_` secret they are signed with.
public struct NotificationEndpoint: Sendable {
    public var url: String
    public var secret: String

    public init(url: String, secret: String) {
        self.url = url
        self.secret = secret
    }
}
