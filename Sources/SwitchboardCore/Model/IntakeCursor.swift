/// A position in a polled source (an IMAP mailbox), committed in the same transaction as the message
/// fetched at it, so a restart resumes right after the last message stored and never before it.
public struct IntakeCursor: Sendable, Codable, Equatable {
    /// The configured source.
    public var source: String
    /// The stream within it, e.g. the mailbox name.
    public var stream: String
    /// Identifies the numbering `position` belongs to (IMAP UIDVALIDITY); a new validity restarts it.
    public var validity: Int64
    /// The last position stored (an IMAP UID).
    public var position: Int64

    public init(source: String, stream: String, validity: Int64, position: Int64) {
        self.source = source
        self.stream = stream
        self.validity = validity
        self.position = position
    }
}
