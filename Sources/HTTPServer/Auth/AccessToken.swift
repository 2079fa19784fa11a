import Signing

/// A configured API token. Only its SHA-256 is kept, so the token itself is not in memory dumps or logs.
public struct AccessToken: Sendable {
    /// What a token may do.
    public enum Role: String, Sendable, CaseIterable {
        /// Reads queues and conversations, writes replies to the outbox.
        case agent
        /// Everything an agent may, plus rule and operations endpoints.
        case ops
    }

    /// Names the caller in logs, audit events and ownership.
    public var id: String
    public var name: String
    public var role: Role
    let digest: [UInt8]

    public init(id: String, name: String, role: Role, token: String) {
        self.id = id
        self.name = name
        self.role = role
        self.digest = Digest.sha256(token)
    }

    /// Whether `presented` is this token; compared in constant time.
    func matches(digest presented: [UInt8]) -> Bool {
        Digest.constantTimeEqual(digest, presented)
    }
}
