import SwitchboardCore

/// One configured webhook source: a system that posts its customers' messages as JSON and, when it takes
/// replies, the URL they are posted back to.
public struct WebhookSource: ChannelSource {
    /// Largest `max_body_bytes` a source may set: 64 MiB, as the server's own setting.
    public static let maxBodyBytesCeiling = 64 * 1024 * 1024

    public var id: String
    /// Where replies go and the secret they are signed with; nil for a source that takes no replies.
    public var reply: WebhookTarget?
    /// How the source proves its requests are its own.
    public var signature: RequestSignature
    /// The limits its messages' files are kept within, and the hosts a posted `{url}` may name.
    public var attachmentPolicy: AttachmentPolicy
    /// The largest request it may post (files in base64 need more than a text does); nil for the server's
    /// `max_body_bytes`.
    public var maxBodyBytes: Int?

    public init(
        id: String, reply: WebhookTarget? = nil, signature: RequestSignature = .none, attachmentPolicy: AttachmentPolicy = .standard,
        maxBodyBytes: Int? = nil
    ) {
        self.id = id
        self.reply = reply
        self.signature = signature
        self.attachmentPolicy = attachmentPolicy
        self.maxBodyBytes = maxBodyBytes
    }
}
