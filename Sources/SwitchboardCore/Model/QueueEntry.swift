import Foundation

/// A conversation as a queue lists it: its fields, its next deadline and its clocks at the listing's
/// instant. Encoded flat: the conversation's fields, then `next_due_at` and `clocks`.
public struct QueueEntry: Sendable, Equatable, Encodable {
    public var conversation: Conversation
    /// The earliest deadline among its clocks that still count or were breached and are still open; nil
    /// when none does.
    public var nextDueAt: Date?
    /// Its SLA clocks in ``ClockKind`` order; empty for a store kept without clock rules.
    public var clocks: [ClockSummary]

    public init(conversation: Conversation, nextDueAt: Date?, clocks: [ClockSummary]) {
        self.conversation = conversation
        self.nextDueAt = nextDueAt
        self.clocks = clocks
    }

    private enum CodingKeys: String, CodingKey {
        case nextDueAt, clocks
    }

    public func encode(to encoder: any Encoder) throws {
        try conversation.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(nextDueAt, forKey: .nextDueAt)
        try container.encode(clocks, forKey: .clocks)
    }
}
