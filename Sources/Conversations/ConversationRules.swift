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
    }

    /// Applies a message's classification and route to the conversation it joins.
    ///
    /// A conversation only ever moves to a more urgent route (a lower priority number), never back, so a
    /// calm follow-up does not drop an angry customer to the bottom of a queue; when it moves, the earlier
    /// of the two response deadlines stands. Urgency only rises; sentiment is the latest message's. A
    /// customer writing into a resolved conversation reopens it.
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
        let reopened = conversation.state == .resolved
        if reopened { updated.state = .open }
        return Joined(conversation: updated, rerouted: rerouted, reopened: reopened)
    }

    /// A conversation after an agent (or the gateway) queued a reply in it.
    public struct Replied: Sendable, Equatable {
        public var conversation: Conversation
        /// The author became the owner (an `owner_assigned` event).
        public var ownerAssigned: Bool
    }

    /// First-contact ownership: whoever answers first owns the conversation until it is handed over; a
    /// reply moves a conversation that was waiting for one (open, acknowledged, assigned) to in progress.
    public static func reply(to conversation: Conversation, by author: String) -> Replied {
        var updated = conversation
        let ownerAssigned = conversation.owner == nil
        if ownerAssigned { updated.owner = author }
        if [.open, .acknowledged, .assigned].contains(conversation.state) { updated.state = .inProgress }
        return Replied(conversation: updated, ownerAssigned: ownerAssigned)
    }
}
