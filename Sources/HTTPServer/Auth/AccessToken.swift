import Foundation
import Digests
import SwitchboardCore

/// A configured API token. Only its SHA-256 is kept, so the token itself is not in memory dumps or logs.
public struct AccessToken: Sendable {
    /// What a token may do.
    public enum Role: String, Sendable, CaseIterable {
        /// Reads queues and conversations, writes replies to the outbox, takes and works conversations.
        case agent
        /// An agent who may also assign anyone and act on other agents' conversations.
        case supervisor
        /// Everything an agent may, plus rule and operations endpoints.
        case ops
    }

    /// Names the caller in logs, audit events and ownership. Two tokens may share one during a rotation.
    public var id: String
    public var name: String
    public var role: Role
    /// After this time the token is refused.
    public var notAfter: Date?
    /// The sources whose conversations the token may see and answer; nil for every source.
    public var sources: Set<String>?
    /// The queues whose conversations the token may see and answer; nil for every queue.
    public var queues: Set<String>?
    /// How many unresolved conversations the token's agent may own before a claim is refused; nil for no cap.
    public var maxOpen: Int?
    let digest: [UInt8]

    public init(
        id: String, name: String, role: Role, token: String, notAfter: Date? = nil, sources: Set<String>? = nil, queues: Set<String>? = nil,
        maxOpen: Int? = nil
    ) {
        self.maxOpen = maxOpen
        self.id = id
        self.name = name
        self.role = role
        self.notAfter = notAfter
        self.sources = sources
        self.queues = queues
        self.digest = Digest.sha256(token)
    }

    /// Whether `presented` is this token; compared in constant time.
    func matches(digest presented: [UInt8]) -> Bool {
        Digest.constantTimeEqual(digest, presented)
    }

    /// Whether the token is past its `not_after`.
    func isExpired(at now: Date) -> Bool {
        notAfter.map { now >= $0 } ?? false
    }

    /// A fresh secret for a new token: 32 bytes from the system's cryptographically secure generator
    /// (getrandom on Linux), in base64url without padding (43 characters).
    public static func generateSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

extension AccessToken {
    /// Whether the token is limited to some sources or queues.
    public var isScoped: Bool {
        sources != nil || queues != nil
    }

    /// Whether the token may see a queue at all.
    public func covers(queue: String) -> Bool {
        queues?.contains(queue) ?? true
    }

    /// Whether the token may see and answer a conversation: its source and its current queue are in scope.
    public func covers(_ conversation: Conversation) -> Bool {
        (sources?.contains(conversation.source) ?? true) && covers(queue: conversation.queue)
    }
}
