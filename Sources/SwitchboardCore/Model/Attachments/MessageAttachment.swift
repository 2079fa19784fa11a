import Foundation

/// A file that came with a message or goes out with a reply: never inlined into its text.
///
/// A channel adapter hands it over with its bytes (``content``) or, for a provider that hosts the file, a
/// ``remote`` address fetched before the commit. The store keeps the bytes once by SHA-256 in the same
/// transaction as the message and gives the attachment its ``id``; what is kept with the message (and
/// shown to agents) is the metadata, never the bytes. A file that could not be kept (over a limit, not
/// fetchable) stays listed with its ``refusal``.
public struct MessageAttachment: Sendable, Codable, Equatable {
    /// The stored file's id (`att_…`), served at `GET /v1/attachments/{id}`; nil until stored, and for a
    /// file that was refused.
    public var id: String?
    /// The sender's file name, decoded (RFC 2231 and RFC 2047 in email).
    public var name: String?
    /// The media type the sender declared: shown, never trusted when serving.
    public var contentType: String
    /// Decoded size in bytes (of the refused file too, when it was known).
    public var size: Int
    /// Whether the sender placed it in the body (an inline image) rather than attaching it.
    public var inline: Bool
    /// An email part's Content-ID without angle brackets, which an HTML body's `cid:` links name.
    public var contentID: String?
    /// Hex SHA-256 of the bytes, once stored.
    public var sha256: String?
    /// What the bytes say the file is (``SniffedType`` raw value, in the Attachments module), once stored.
    public var detectedType: String?
    /// Why the file was not kept; nil for a kept one.
    public var refusal: AttachmentRefusal?
    /// The bytes, between the adapter and the store only: never encoded with the metadata.
    public var content: Data?
    /// A provider-hosted file to fetch before the commit: never encoded with the metadata.
    public var remote: RemoteAttachment?

    public init(
        id: String? = nil, name: String?, contentType: String, size: Int, inline: Bool = false, contentID: String? = nil,
        sha256: String? = nil, detectedType: String? = nil, refusal: AttachmentRefusal? = nil, content: Data? = nil,
        remote: RemoteAttachment? = nil
    ) {
        self.id = id
        self.name = name
        self.contentType = contentType
        self.size = size
        self.inline = inline
        self.contentID = contentID
        self.sha256 = sha256
        self.detectedType = detectedType
        self.refusal = refusal
        self.content = content
        self.remote = remote
    }

    enum CodingKeys: String, CodingKey {
        case id, name, contentType, size, inline, contentID, sha256, detectedType, refusal
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        contentType = try container.decode(String.self, forKey: .contentType)
        size = try container.decode(Int.self, forKey: .size)
        // Metadata written before attachments were kept has only name, type and size.
        inline = try container.decodeIfPresent(Bool.self, forKey: .inline) ?? false
        contentID = try container.decodeIfPresent(String.self, forKey: .contentID)
        sha256 = try container.decodeIfPresent(String.self, forKey: .sha256)
        detectedType = try container.decodeIfPresent(String.self, forKey: .detectedType)
        refusal = try container.decodeIfPresent(AttachmentRefusal.self, forKey: .refusal)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encode(contentType, forKey: .contentType)
        try container.encode(size, forKey: .size)
        if inline { try container.encode(inline, forKey: .inline) }
        try container.encodeIfPresent(contentID, forKey: .contentID)
        try container.encodeIfPresent(sha256, forKey: .sha256)
        try container.encodeIfPresent(detectedType, forKey: .detectedType)
        try container.encodeIfPresent(refusal, forKey: .refusal)
    }

    /// The same file without its bytes, refused for `refusal`.
    public func refused(_ refusal: AttachmentRefusal) -> MessageAttachment {
        var copy = self
        copy.content = nil
        copy.remote = nil
        copy.id = nil
        copy.refusal = refusal
        return copy
    }
}
