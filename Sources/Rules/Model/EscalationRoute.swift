/// Where an escalation of one level moves a conversation (`escalation:` in `routes.yaml`). Levels are
/// the standards' incident levels: 1 major, 2 serious, 3 general, 4 minor.
public struct EscalationRoute: Sendable, Equatable {
    /// 1 (major) … 4 (minor).
    public var level: Int
    /// The queue the conversation moves to.
    public var queue: String
    /// The SLA policy its clocks are retargeted to.
    public var slaPolicy: String
    /// The priority it is raised to (1 most urgent … 4); an escalation never lowers a priority.
    public var priority: Int

    public init(level: Int, queue: String, slaPolicy: String, priority: Int) {
        self.level = level
        self.queue = queue
        self.slaPolicy = slaPolicy
        self.priority = priority
    }
}
