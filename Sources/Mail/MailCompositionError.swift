/// Why a message could not be composed. The description names the field and the problem, never the
/// value, so it is safe to log.
public struct MailCompositionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable machine-readable code: `header_line_break`, `invalid_header_name`, `reserved_header`,
    /// `invalid_address`, `invalid_message_id`, `no_recipients`.
    public var code: String
    /// A human-readable explanation naming the field.
    public var message: String

    /// An error with a code and a message.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
