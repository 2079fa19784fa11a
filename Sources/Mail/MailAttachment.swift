/// A body part that is not part of the readable text: a file, an image, a forwarded message.
public struct MailAttachment: Sendable, Equatable, Hashable, Codable {
    /// The file name from Content-Disposition `filename` or Content-Type `name` (RFC 2231 and
    /// RFC 2047 decoded), nil when the part has none.
    public var name: String?
    /// `type/subtype`, lower-cased, without parameters.
    public var contentType: String
    /// Size in bytes after undoing the transfer encoding.
    public var size: Int

    /// An attachment summary.
    public init(name: String?, contentType: String, size: Int) {
        self.name = name
        self.contentType = contentType
        self.size = size
    }
}
