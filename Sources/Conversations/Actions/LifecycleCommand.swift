import Foundation
import SwitchboardCore

/// One lifecycle action as a caller asks a store to apply it: the store reads the conversation, asks
/// ``ConversationLifecycle`` inside its transaction and writes what it answers, so two agents acting at
/// once never both win.
public struct LifecycleCommand: Sendable, Equatable {
    public var conversationID: String
    public var action: LifecycleAction
    public var actor: LifecycleActor
    /// The actor's words: the escalation reason, the resolution, the hand-off note, the note's text.
    public var reason: String?
    /// Where the conversation goes when the action moves it by the rules (an escalation's level names a
    /// queue, an SLA policy and a due time): resolved from the rules by the caller, since the store has none.
    public var placement: Placement?
    public var at: Date
    /// The caller's retry key: a second command with the same key and actor replays the first's answer.
    public var idempotencyKey: String?
    /// Identifies the request the key was first used with; another request under that key is refused.
    public var fingerprint: String?
    /// A message to the customer queued with the change, in its transaction (a hand-off's script telling
    /// them who takes over): rendered and checked by the caller, written by the actor. It is not an answer
    /// to the customer's question, so it moves neither the state nor the response clocks.
    public var reply: PendingReply?
    /// The satisfaction survey a resolution schedules, rendered by the caller; the store skips it when the
    /// customer was surveyed within its `minInterval`.
    public var survey: ScheduledSurvey?

    /// Where the rules send a conversation.
    public struct Placement: Sendable, Equatable {
        public var queue: String
        public var slaPolicy: String
        /// The priority the conversation is raised to; it is never lowered.
        public var priority: Int
        /// The first-response deadline under that policy, counted from the conversation's start (the
        /// elapsed time carries over).
        public var slaDueAt: Date?

        public init(queue: String, slaPolicy: String, priority: Int, slaDueAt: Date?) {
            self.queue = queue
            self.slaPolicy = slaPolicy
            self.priority = priority
            self.slaDueAt = slaDueAt
        }
    }

    public init(
        conversationID: String, action: LifecycleAction, actor: LifecycleActor, reason: String? = nil, placement: Placement? = nil,
        at: Date, idempotencyKey: String? = nil, fingerprint: String? = nil, reply: PendingReply? = nil,
        survey: ScheduledSurvey? = nil
    ) {
        self.reply = reply
        self.survey = survey
        self.conversationID = conversationID
        self.action = action
        self.actor = actor
        self.reason = reason
        self.placement = placement
        self.at = at
        self.idempotencyKey = idempotencyKey
        self.fingerprint = fingerprint
    }
}
