/// How soon a conversation needs a human, from least to most pressing.
public enum Urgency: String, Sendable, Codable, CaseIterable, Comparable {
    case low
    case normal
    case high
    case critical

    private var rank: Int {
        switch self {
        case .low: 0
        case .normal: 1
        case .high: 2
        case .critical: 3
        }
    }

    public static func < (lhs: Urgency, rhs: Urgency) -> Bool { lhs.rank < rhs.rank }
}

/// The customer's tone as the classifier reads it.
public enum Sentiment: String, Sendable, Codable, CaseIterable {
    case negative
    case neutral
    case positive
}

/// How strongly negative a negative message reads: mild dissatisfaction is negative without being an
/// angry complaint, so routes can tell the two apart.
public enum SentimentStrength: String, Sendable, Codable, CaseIterable {
    case mild
    case strong
}

/// Customer tiers from the service standards; VIP and strategic customers get priority.
public enum CustomerTier: String, Sendable, Codable, CaseIterable {
    case new
    case ordinary
    case vip
    case strategic
}

/// Where a conversation stands in its lifecycle. What moves it from one state to another is the table in
/// the Conversations module (`ConversationLifecycle`).
public enum ConversationState: String, Sendable, Codable, CaseIterable {
    /// Received, and no human has it yet (the automatic acknowledgement does not change that).
    case new
    /// Has an owner, who has not answered since taking it.
    case assigned
    /// An agent replied.
    case inProgress = "in_progress"
    /// An agent waits for the customer's answer, and the SLA clock is paused.
    case waitingOnCustomer = "waiting_on_customer"
    /// Raised to an escalation level; it stays escalated until it waits on the customer or is resolved.
    case escalated
    /// Resolved, awaiting the customer's confirmation; a message from the customer reopens it.
    case resolved
    /// Finished for good: a customer's message starts a new conversation linked to it.
    case closed

    /// States in which a new inbound message joins the conversation rather than starting a new one.
    public var acceptsReplies: Bool {
        switch self {
        case .closed: false
        default: true
        }
    }
}

/// Whether a message came from the customer or went to them.
public enum Direction: String, Sendable, Codable {
    case inbound
    case outbound
}
