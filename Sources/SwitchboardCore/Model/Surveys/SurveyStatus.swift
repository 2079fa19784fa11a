/// Where a survey stands.
public enum SurveyStatus: String, Sendable, Codable, CaseIterable {
    /// Committed with its message, which the outbox sends at `sendAt`; open for an answer until `expiresAt`.
    case scheduled
    /// The customer gave a score (the first answer counts).
    case answered
    /// Withdrawn before an answer: the conversation was reopened before the survey went out.
    case cancelled
}
