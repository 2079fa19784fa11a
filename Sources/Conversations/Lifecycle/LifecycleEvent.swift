/// An audit event a transition implies, for the store to write in the transaction that applies it.
public struct LifecycleEvent: Sendable, Equatable {
    /// The event kinds, as written to the audit trail.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `detail`: `owner`, and `previous_owner` when someone else had it.
        case ownerAssigned = "owner_assigned"
        /// `detail`: `owner`.
        case claimed
        /// `detail`: `to_owner` or `to_queue`, and `previous_owner` when there was one. The reason is the
        /// hand-off note.
        case handedOff = "handed_off"
        /// `detail`: `level`, `priority` (after the escalation).
        case escalated
        /// `detail`: `until` (ISO 8601) when the wait has an end.
        case waitingOnCustomer = "waiting_on_customer"
        /// The customer answered a conversation waiting on them.
        case resumed
        /// The wait's `until` came without the customer's answer.
        case waitEnded = "wait_ended"
        /// The reason is the resolution.
        case resolved
        case reopened
        case closed
        /// The reason is the note's text.
        case noteAdded = "note_added"
    }

    public var kind: Kind
    public var actor: LifecycleActor
    /// Why, in the actor's words: the escalation reason, the resolution, the hand-off note.
    public var reason: String?
    public var detail: [String: String]

    public init(kind: Kind, actor: LifecycleActor, reason: String? = nil, detail: [String: String] = [:]) {
        self.kind = kind
        self.actor = actor
        self.reason = reason
        self.detail = detail
    }
}
