import Foundation
import SwitchboardCore

/// What inbound messages and agents' replies do to a conversation, as pure functions a store applies
/// inside its transaction (it writes the result and the events these report, and decides nothing).
public enum ConversationRules {
    /// A conversation after an inbound message joined it.
    public struct Joined: Sendable, Equatable {
        public var conversation: Conversation
        /// The message's route was more urgent and replaced the conversation's (a `rerouted` event).
        public var rerouted: Bool
        /// The conversation was resolved and the customer's message reopened it (a `reopened` event).
        public var reopened: Bool
        /// What the lifecycle table made of the customer's message, with its events and effects (a paused
        /// clock resumed, a reopen counted).
        public var lifecycle: LifecycleOutcome
    }

    /// Applies a message's classification and route to the conversation it joins.
    ///
    /// A conversation only ever moves to a more urgent route (a lower priority number), never back, so a
    /// calm follow-up does not drop an angry customer to the bottom of a queue; when it moves, the earlier
    /// of the two response deadlines stands. Urgency only rises; sentiment is the latest message's. The
    /// state changes as ``ConversationLifecycle`` has it for a customer's message: a resolved conversation
    /// reopens, one waiting on the customer resumes. (A closed one is never joined: its customer's message
    /// starts a new conversation.)
    public static func join(
        _ conversation: Conversation, route: RouteDecision, urgency: Urgency, sentiment: Sentiment, slaDueAt: Date?
    ) -> Joined {
        var updated = conversation
        let rerouted = route.priority < conversation.priority
        if rerouted {
            updated.queue = route.queue
            updated.priority = route.priority
            updated.routeID = route.routeID
            updated.slaPolicy = route.slaPolicy
            if let slaDueAt {
                updated.slaDueAt = conversation.slaDueAt.map { min($0, slaDueAt) } ?? slaDueAt
            }
        }
        updated.urgency = max(conversation.urgency, urgency)
        updated.sentiment = sentiment
        let lifecycle = ConversationLifecycle.apply(
            .customerMessage, to: conversation, by: LifecycleActor(id: conversation.customerAddress, role: .customer))
        let transition = lifecycle.transition
        if let transition { updated.state = transition.state }
        let reopened = transition?.effects.contains(.countReopen) ?? false
        if reopened { updated.reopenCount += 1 }
        return Joined(conversation: updated, rerouted: rerouted, reopened: reopened, lifecycle: lifecycle)
    }

    /// A conversation after an agent (or the gateway) queued a reply in it.
    public struct Replied: Sendable, Equatable {
        public var conversation: Conversation
        /// The author became the owner (an `owner_assigned` event).
        public var ownerAssigned: Bool
        /// What the lifecycle table made of the reply; refused on a closed conversation, which it leaves
        /// as it was.
        public var lifecycle: LifecycleOutcome
    }

    /// An agent's reply, as ``ConversationLifecycle`` has it: first-contact ownership (whoever answers
    /// first owns the conversation until it is handed over), and a conversation that was waiting for a
    /// human's answer (new, assigned) moves to in progress. Other states stay as they are.
    public static func reply(to conversation: Conversation, by author: String) -> Replied {
        let lifecycle = ConversationLifecycle.apply(.agentReply, to: conversation, by: LifecycleActor(id: author, role: .agent))
        guard let transition = lifecycle.transition else {
            return Replied(conversation: conversation, ownerAssigned: false, lifecycle: lifecycle)
        }
        return Replied(conversation: transition.applied(to: conversation), ownerAssigned: transition.ownerChanged, lifecycle: lifecycle)
    }
}
