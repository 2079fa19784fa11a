/// Where `ParsedMail.text` came from.
public enum TextSource: String, Sendable, Codable {
    /// A text/plain part (or a body treated as plain text).
    case plain
    /// A text/html part reduced to text, because the message had no plain part.
    case html
    /// The message has no readable text.
    case none
}
