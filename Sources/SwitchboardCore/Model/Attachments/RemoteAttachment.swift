/// A file a provider hosts for us (Twilio's `MediaUrl{N}`, a webhook's `{url}`), fetched before the
/// message is committed so that the acknowledged message holds the bytes, not a link that may expire.
public struct RemoteAttachment: Sendable, Equatable {
    /// An `http` or `https` URL.
    public var url: String
    /// HTTP basic credentials the provider wants (Twilio: the account SID and auth token); never logged.
    public var user: String?
    public var password: String?

    public init(url: String, user: String? = nil, password: String? = nil) {
        self.url = url
        self.user = user
        self.password = password
    }
}
