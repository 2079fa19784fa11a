import Foundation

/// One agent or ops API call, kept in the access log: who read or wrote what, or tried to and was
/// refused, and from where; never a body.
public struct AccessRecord: Sendable, Equatable {
    /// The actor of a refused call whose token was not recognized.
    public static let unknownActor = "-"

    public var at: Date
    /// The token id of the caller, or ``unknownActor``.
    public var actor: String
    public var method: String
    /// The path without its query.
    public var path: String
    public var status: Int
    /// The client's IP address, when known.
    public var client: String?

    public init(at: Date, actor: String, method: String, path: String, status: Int, client: String? = nil) {
        self.at = at
        self.actor = actor
        self.method = method
        self.path = path
        self.status = status
        self.client = client
    }
}

/// What one retention pass removed.
public struct PurgeCounts: Sendable, Equatable {
    public var conversations = 0
    public var messages = 0
    public var outboxEntries = 0
    public var events = 0
    public var accessRecords = 0
    /// Agents' uploads that no reply took, or whose replies were purged.
    public var attachments = 0
    /// Files' bytes no message or upload refers to any more.
    public var attachmentBlobs = 0

    public init() {}

    public var total: Int { conversations + messages + outboxEntries + events + accessRecords + attachments + attachmentBlobs }
}
