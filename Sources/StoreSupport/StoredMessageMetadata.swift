import SwitchboardCore

/// The per-message details kept as JSON beside the message's columns.
public struct StoredMessageMetadata: Codable, Sendable {
    public var thread: ThreadHints
    public var attachments: [MessageAttachment]
    public var warnings: [String]

    public init(thread: ThreadHints, attachments: [MessageAttachment], warnings: [String]) {
        self.thread = thread
        self.attachments = attachments
        self.warnings = warnings
    }
}
