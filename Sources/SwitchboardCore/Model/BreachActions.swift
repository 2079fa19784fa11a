/// What happens when a clock of an SLA policy passes its deadline (`on_breach` in `sla.yaml`).
public struct BreachActions: Sendable, Equatable, Hashable {
    /// The queue the conversation moves to.
    public var escalateToQueue: String?
    /// The priority the conversation is raised to (1 most urgent … 4); a breach never lowers a priority.
    public var raisePriority: Int?
    /// The notification targets told about the breach, by name.
    public var notify: [String]

    public init(escalateToQueue: String? = nil, raisePriority: Int? = nil, notify: [String] = []) {
        self.escalateToQueue = escalateToQueue
        self.raisePriority = raisePriority
        self.notify = notify
    }

    /// Whether a breach does anything besides being recorded.
    public var isEmpty: Bool { escalateToQueue == nil && raisePriority == nil && notify.isEmpty }
}
