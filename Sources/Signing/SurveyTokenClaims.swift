import Foundation

/// What a verified survey token says: the survey it answers and until when.
public struct SurveyTokenClaims: Sendable, Equatable {
    public var surveyID: String
    /// Whole seconds since 1970; the token is refused from this instant on.
    public var expiresAt: Date

    public init(surveyID: String, expiresAt: Date) {
        self.surveyID = surveyID
        self.expiresAt = expiresAt
    }
}
