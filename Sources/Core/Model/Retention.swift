import Foundation

/// One authenticated API call, kept in the access log: who read or wrote what, never a body.
public struct AccessRecord: Sendable, Equatable {
    public var at: Date
    /// The token id of the caller.
    public var actor: String
    public var method: String
    /// The path without its query.
    public var path: String
    public var status: Int

    public init(at: Date, actor: String, method: String, path: String, status: Int) {
        self.at = at
        self.actor = actor
        self.method = method
        self.path = path
        self.status = status
    }
}

/// What one retention pass removed.
public struct PurgeCounts: Sendable, Equatable {
    public var conversations = 0
    public var messages = 0
    public var outboxEntries = 0
    public var events = 0
    public var accessRecords = 0

    public init() {}

    public var total: Int { conversations + messages + outboxEntries + events + accessRecords }
}
