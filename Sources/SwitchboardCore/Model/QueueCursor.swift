import Foundation

/// Where a page of a queue's conversations ended, by the list's order: the next deadline (none sorts
/// after every instant), the creation time, the id. The next page starts after that conversation.
///
/// Clients see only its ``text``, which is opaque to them.
public struct QueueCursor: Sendable, Hashable {
    /// The next deadline in seconds since 1970; ``noDeadline`` for a conversation without one.
    public var deadline: Double
    /// The creation time in seconds since 1970.
    public var createdAt: Double
    public var id: String

    /// The sort position of a conversation without a deadline: after every real instant.
    public static let noDeadline = 1e300

    public init(deadline: Double, createdAt: Double, id: String) {
        self.deadline = deadline
        self.createdAt = createdAt
        self.id = id
    }

    /// Reads a cursor's ``text``; nil when it is not one.
    public init?(text: String) {
        guard text.utf8.count <= 512, let cursor = PageCursor(text: text) else { return nil }
        let parts = cursor.id.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = UInt64(parts[0]) else { return nil }
        let createdAt = Double(bitPattern: bits)
        guard createdAt.isFinite, !parts[1].isEmpty else { return nil }
        self.init(deadline: cursor.position, createdAt: createdAt, id: String(parts[1]))
    }

    /// The cursor as a client passes it back: URL-safe base64 without padding, each time as its bit
    /// pattern so the next page starts exactly after this conversation.
    public var text: String {
        PageCursor(position: deadline, id: "\(createdAt.bitPattern)|\(id)").text
    }
}
