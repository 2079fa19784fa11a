/// Queue occupancy for `GET /v1/queues`.
public struct QueueSummary: Sendable, Codable, Equatable {
    public var queue: String
    public var open: Int
    /// Open conversations whose first-response deadline has passed.
    public var overdue: Int

    public init(queue: String, open: Int, overdue: Int) {
        self.queue = queue
        self.open = open
        self.overdue = overdue
    }
}
