/// Where and how replies for one webhook source are delivered.
public struct WebhookTarget: Sendable {
    public var replyURL: String
    /// The Standard Webhooks secret (`whsec_…`) replies are signed with.
    public var secret: String

    public init(replyURL: String, secret: String) {
        self.replyURL = replyURL
        self.secret = secret
    }
}
