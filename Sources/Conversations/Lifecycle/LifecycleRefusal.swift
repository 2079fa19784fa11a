import SwitchboardCore

/// Why an action was not applied: a value returned by the table, never thrown. Nothing was changed.
public struct LifecycleRefusal: Sendable, Equatable {
    public enum Code: String, Sendable, Hashable {
        /// The conversation's state does not take this action (`409 invalid_transition`).
        case invalidTransition = "invalid_transition"
        /// The state takes the action, but not from this actor, or not with these arguments: an agent
        /// assigning someone else, acting on a conversation another agent owns, claiming an owned one; or a
        /// role that never takes the action (an agent posting a customer's message).
        case notPermitted = "not_permitted"
    }

    public var code: Code
    /// The conversation's state, which the refusal names.
    public var state: ConversationState
    public var action: LifecycleAction.Kind
    /// The actions the current state allows an actor of this role, in table order.
    public var allowedActions: [LifecycleAction.Kind]
    /// Names the problem by state, action and role; it quotes nothing from the request, so it is safe to log
    /// and to answer with.
    public var message: String

    public init(
        code: Code, state: ConversationState, action: LifecycleAction.Kind, allowedActions: [LifecycleAction.Kind], message: String
    ) {
        self.code = code
        self.state = state
        self.action = action
        self.allowedActions = allowedActions
        self.message = message
    }
}
