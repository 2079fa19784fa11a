/// A kept file with its bytes, and where it belongs: what `GET /v1/attachments/{id}` serves, once the
/// caller's token covers ``conversation``.
public struct StoredAttachment: Sendable, Equatable {
    /// The metadata, with ``MessageAttachment/content`` holding the bytes.
    public var attachment: MessageAttachment
    /// The conversation of the message or reply that carries it; nil for an agent's upload that no reply
    /// references yet.
    public var conversation: Conversation?
    /// Who uploaded it (a token id), for an agent's upload; nil for a customer's file.
    public var uploadedBy: String?

    public init(attachment: MessageAttachment, conversation: Conversation?, uploadedBy: String?) {
        self.attachment = attachment
        self.conversation = conversation
        self.uploadedBy = uploadedBy
    }
}
