import Foundation

/// One line of the append-only audit trail.
public struct AuditEvent: Sendable, Codable, Equatable {
    public var at: Date
    /// `message`, `conversation` or `outbox`.
    public var subjectKind: String
    public var subjectID: String
    public var conversationID: String
    /// What happened: `received`, `deduplicated`, `routed`, `reply_queued`, `delivery_attempt` …
    public var kind: String
    /// Who did it: `system`, a channel source, or an agent's token id.
    public var actor: String
    /// Safe-to-show details (no bodies, no secrets).
    public var detail: [String: String]

    public init(at: Date, subjectKind: String, subjectID: String, conversationID: String, kind: String, actor: String, detail: [String: String]) {
        self.at = at
        self.subjectKind = subjectKind
        self.subjectID = subjectID
        self.conversationID = conversationID
        self.kind = kind
        self.actor = actor
        self.detail = detail
    }
}
