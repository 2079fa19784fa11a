import Foundation

/// Which part of a conversation's messages, outbox entries and events a detail read returns.
///
/// Each list is paged on its own: up to ``limit`` items after its cursor, in the list's stable order
/// (messages by arrival, outbox entries by creation, events by sequence).
public struct ConversationDetailPage: Sendable, Equatable {
    /// The page size when the caller names none.
    public static let defaultLimit = 50
    /// The largest page size a caller may ask for.
    public static let maximumLimit = 200

    /// How many items of each list, at most.
    public var limit: Int
    public var messagesAfter: PageCursor?
    public var outboxAfter: PageCursor?
    public var eventsAfter: PageCursor?
    /// Whether messages carry their raw payload; without it the payload is not even read.
    public var includeRaw: Bool
    /// The moment the clocks are shown as at; nil for the store's own now.
    public var at: Date?

    public init(
        limit: Int = ConversationDetailPage.defaultLimit, messagesAfter: PageCursor? = nil, outboxAfter: PageCursor? = nil,
        eventsAfter: PageCursor? = nil, includeRaw: Bool = false
    ) {
        self.limit = limit
        self.messagesAfter = messagesAfter
        self.outboxAfter = outboxAfter
        self.eventsAfter = eventsAfter
        self.includeRaw = includeRaw
    }
}
