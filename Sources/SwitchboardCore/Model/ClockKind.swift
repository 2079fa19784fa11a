/// The clocks an SLA policy may run on a conversation.
public enum ClockKind: String, Sendable, Codable, CaseIterable {
    /// From the customer's first message to the first human response.
    case firstResponse = "first_response"
    /// From each customer message after an agent's reply to the next reply.
    case nextResponse = "next_response"
    /// From the first message until the conversation is resolved.
    case resolution
    /// Between progress updates while the conversation is open (a crisis: every 15 minutes).
    case updateEvery = "update_every"
    /// From resolution to the follow-up with the customer (at most 24 hours by the standards).
    case followUp = "follow_up"
}
