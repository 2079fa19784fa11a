import Foundation

/// Something done to a conversation that may change its state, its owner or its queue.
public enum LifecycleAction: Sendable, Hashable {
    /// Gives the conversation to `owner`.
    case assign(owner: String)
    /// The actor takes an unowned conversation for themselves.
    case claim
    /// Passes the conversation on, with its whole history, to a person or a queue.
    case handoff(HandoffTarget)
    /// Raises the conversation to an escalation level: its priority, its queue and its SLA follow.
    case escalate(EscalationLevel)
    /// The agent waits for the customer's answer, until a time or without one; the SLA clock pauses.
    case wait(until: Date?)
    case resolve
    /// An agent reopens a resolved conversation.
    case reopen
    case close
    /// An agent (or the gateway for them) queued a reply to the customer.
    case agentReply
    /// A message from the customer joined the conversation.
    case customerMessage
    /// An internal note, never sent to the customer.
    case note
    /// The end a wait on the customer was given has come without their answer: the gateway puts the
    /// conversation back in front of its agent and the clocks run again.
    case waitEnded

    /// The name of an action without its arguments: what the table and refusals speak of.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Comparable {
        case assign
        case claim
        case handoff
        case escalate
        case wait
        case resolve
        case reopen
        case close
        case agentReply = "agent_reply"
        case customerMessage = "customer_message"
        case note
        case waitEnded = "wait_ended"

        /// The order of ``allCases``, so lists of kinds read the same way everywhere.
        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public var kind: Kind {
        switch self {
        case .assign: .assign
        case .claim: .claim
        case .handoff: .handoff
        case .escalate: .escalate
        case .wait: .wait
        case .resolve: .resolve
        case .reopen: .reopen
        case .close: .close
        case .agentReply: .agentReply
        case .customerMessage: .customerMessage
        case .note: .note
        case .waitEnded: .waitEnded
        }
    }
}
