/// A queue's occupancy at an instant, for `GET /v1/queues` and the queue gauges of `/metrics`.
public struct QueueSummary: Sendable, Codable, Equatable {
    public var queue: String
    /// Conversations neither resolved nor closed.
    public var open: Int
    /// Open conversations without an owner.
    public var unassigned: Int
    /// Open conversations not breached with a running clock inside its warning window (past its warning
    /// instant, before its deadline).
    public var dueSoon: Int
    /// Open conversations with a breached clock that is still open (not fulfilled).
    public var breached: Int
    /// Open conversations whose stored first-response deadline has passed, answered or not: kept for
    /// clients of the first API; ``breached`` is what the clocks say.
    public var overdue: Int
    /// Open conversations by lifecycle state; states without any are left out.
    public var openByState: [ConversationState: Int]

    public init(
        queue: String, open: Int, unassigned: Int = 0, dueSoon: Int = 0, breached: Int = 0, overdue: Int,
        openByState: [ConversationState: Int] = [:]
    ) {
        self.queue = queue
        self.open = open
        self.unassigned = unassigned
        self.dueSoon = dueSoon
        self.breached = breached
        self.overdue = overdue
        self.openByState = openByState
    }
}
