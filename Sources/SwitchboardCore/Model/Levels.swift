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

/// Customer tiers from the service standards; VIP and strategic customers get priority.
public enum CustomerTier: String, Sendable, Codable, CaseIterable {
    case new
    case ordinary
    case vip
    case strategic
}

/// Where a conversation stands in its lifecycle.
public enum ConversationState: String, Sendable, Codable, CaseIterable {
    case open
    case acknowledged
    case assigned
    case inProgress = "in_progress"
    case escalated
    case resolved
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
