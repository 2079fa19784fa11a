import Foundation
import SwitchboardCore

/// Something supervisors' systems are told about: an SLA warning or breach, or an escalation, assignment
/// or resolution. The store hands each one to the ``NotificationRules`` in the transaction that records it,
/// so a notification is queued exactly when the change commits.
public struct NotificationEvent: Sendable, Equatable {
    /// The event types a target subscribes to, as the payload's `type` names them.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case slaWarning = "sla.warning"
        case slaBreached = "sla.breached"
        case conversationEscalated = "conversation.escalated"
        case conversationAssigned = "conversation.assigned"
        case conversationResolved = "conversation.resolved"
        case approvalRequested = "approval.requested"
        case approvalExpired = "approval.expired"
        /// A customer answered a satisfaction survey; a low score opened a follow-up.
        case csatReceived = "csat.received"
    }

    /// A survey's answer, for `csat.received`.
    public struct SurveyScore: Sendable, Equatable {
        public var surveyID: String
        public var kind: SurveyKind
        public var score: Int
        /// The follow-up conversation the score opened, when it was low.
        public var followUpConversationID: String?

        public init(surveyID: String, kind: SurveyKind, score: Int, followUpConversationID: String?) {
            self.surveyID = surveyID
            self.kind = kind
            self.score = score
            self.followUpConversationID = followUpConversationID
        }
    }

    public var kind: Kind
    /// The conversation as the change left it.
    public var conversation: Conversation
    public var at: Date
    /// Who made the change (`sla-timer` for the timers).
    public var actor: String
    /// The actor's words: the escalation reason, the resolution.
    public var reason: String?
    /// The clock a warning or breach is about, with its policy and deadline.
    public var clock: ClockKind?
    public var dueAt: Date?
    /// The owner before an assignment, when there was one.
    public var previousOwner: String?
    /// Targets the rules name for this event whatever they subscribe to: a policy's `on_breach.notify`.
    public var namedTargets: [String]
    /// The held reply an `approval.*` event is about.
    public var approval: Approval?
    /// The answer `csat.received` reports.
    public var survey: SurveyScore?

    public init(
        kind: Kind, conversation: Conversation, at: Date, actor: String, reason: String? = nil, clock: ClockKind? = nil,
        dueAt: Date? = nil, previousOwner: String? = nil, namedTargets: [String] = [], approval: Approval? = nil,
        survey: SurveyScore? = nil
    ) {
        self.survey = survey
        self.kind = kind
        self.conversation = conversation
        self.at = at
        self.actor = actor
        self.reason = reason
        self.clock = clock
        self.dueAt = dueAt
        self.previousOwner = previousOwner
        self.namedTargets = namedTargets
        self.approval = approval
    }

    /// The escalation level the event is at: the conversation's priority, 1 the crisis level that is
    /// never held back by quiet hours.
    public var level: Int { conversation.priority }
}
