/// One configured webhook source: a system that posts its customers' messages as JSON and, when it takes
/// replies, the URL they are posted back to.
public struct WebhookSource: ChannelSource {
    public var id: String
    /// Where replies go and the secret they are signed with; nil for a source that takes no replies.
    public var reply: WebhookTarget?
    /// How the source proves its requests are its own.
    public var signature: RequestSignature

    public init(id: String, reply: WebhookTarget? = nil, signature: RequestSignature = .none) {
        self.id = id
        self.reply = reply
        self.signature = signature
    }
}
