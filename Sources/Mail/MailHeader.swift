/// One header field as it appeared in the message.
public struct MailHeader: Sendable, Equatable, Hashable {
    /// The field name as written (case preserved).
    public var name: String
    /// The value unfolded (line breaks removed, whitespace kept), trimmed, and not RFC 2047 decoded.
    public var value: String

    /// A header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
