import Foundation

/// Which of a queue's conversations one page of `GET /v1/queues/{queue}/conversations` holds, and where
/// the page starts.
///
/// The list is ordered by each conversation's next deadline (the earliest `due_at` among its clocks that
/// still count or were breached and are still open; none last), then by age, then by id. Pages follow
/// each other by ``QueueCursor``, so a conversation that moves while a client pages is neither skipped
/// twice nor repeated for the ones that did not move.
public struct QueueListing: Sendable, Equatable {
    /// The page size when the caller names none.
    public static let defaultLimit = 50
    /// The largest page size a caller may ask for.
    public static let maximumLimit = 500
    /// The states listed when the caller names none: every state but resolved and closed.
    public static let openStates: Set<ConversationState> = Set(ConversationState.allCases).subtracting([.resolved, .closed])

    /// Whose conversations are listed.
    public enum Owner: Sendable, Equatable {
        /// Owned by this agent (a token id).
        case agent(String)
        /// Owned by no one (`owner=none`).
        case nobody
    }

    public var queue: String
    /// The lifecycle states listed; never empty.
    public var states: Set<ConversationState>
    /// Only conversations owned by one agent, or by no one; nil for any owner.
    public var owner: Owner?
    /// true: only conversations with a breached clock still open; false: only those without; nil: both.
    public var breached: Bool?
    /// Only conversations whose next deadline is at most this many seconds after ``now`` (one already
    /// passed counts too: combine with `breached == false` to leave those out).
    public var dueWithin: Double?
    /// With a set, only conversations of those sources (a scoped token's); nil for every source.
    public var sources: Set<String>?
    /// Conversations per page, 1 to ``maximumLimit``.
    public var limit: Int
    /// The page starts after this conversation; nil for the first page.
    public var after: QueueCursor?
    /// The instant the clocks, `breached` and `due_within` are read at.
    public var now: Date

    public init(
        queue: String, states: Set<ConversationState> = QueueListing.openStates, owner: Owner? = nil, breached: Bool? = nil,
        dueWithin: Double? = nil, sources: Set<String>? = nil, limit: Int = QueueListing.defaultLimit, after: QueueCursor? = nil,
        now: Date
    ) {
        self.queue = queue
        self.states = states
        self.owner = owner
        self.breached = breached
        self.dueWithin = dueWithin
        self.sources = sources
        self.limit = limit
        self.after = after
        self.now = now
    }
}
