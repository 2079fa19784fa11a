/// A file that came with a message: recorded by name, type and size, never inlined into its text.
public struct MessageAttachment: Sendable, Codable, Equatable {
    public var name: String?
    public var contentType: String
    /// Decoded size in bytes.
    public var size: Int

    public init(name: String?, contentType: String, size: Int) {
        self.name = name
        self.contentType = contentType
        self.size = size
    }
}
