import Foundation

/// The store as attachments use it: customers' files are kept by ``IntakeStore`` with their message, in
/// its transaction; this role serves them back and keeps agents' uploads until a reply takes them.
///
/// Bytes are kept once by SHA-256 however many messages carry them, and purged with the last message or
/// upload that refers to them.
public protocol AttachmentStore: Sendable {
    /// A kept file with its bytes and its conversation, or nil when there is none by that id.
    func attachment(id: String) async throws -> StoredAttachment?

    /// Keeps an agent's upload (``MessageAttachment/content`` holds the bytes) and answers its metadata
    /// with its id, hash and detected type. A reply references it by id (``PendingReply/attachmentIDs``).
    func storeUpload(_ attachment: MessageAttachment, uploadedBy: String, at now: Date) async throws -> MessageAttachment
}
