/// Who takes a lifecycle action, as the lifecycle table sees them.
public struct LifecycleActor: Sendable, Hashable {
    /// What the actor may do to conversations. These are the lifecycle's own roles: API tokens map onto
    /// them where the HTTP actions are served.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        /// Works conversations: may take unowned ones for themselves and act on their own; may escalate,
        /// reply to and annotate any.
        case agent
        /// An agent who may also assign anyone and act on other agents' conversations.
        case supervisor
        /// Keeps rules and tokens; towards conversations an ops token has an agent's rights, as it has in
        /// the API today.
        case ops
        /// The gateway itself (SLA timers acting on a breach): a supervisor's rights.
        case system
        /// The customer: their messages are the only action they take.
        case customer
    }

    /// The token id, agent id or customer address written as the actor of the audit events.
    public var id: String
    public var role: Role

    public init(id: String, role: Role) {
        self.id = id
        self.role = role
    }

    /// Whether the actor may act on conversations other people own, and assign anyone.
    var overridesOwnership: Bool { role == .supervisor || role == .system }
}
