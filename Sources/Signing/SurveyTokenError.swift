/// Why a survey token was refused. Safe to log: it never holds the token.
public struct SurveyTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Not a token of this form (wrong shape, encoding, length or version).
        case malformed
        /// Well formed, but not signed with this key: forged, altered, or from another store.
        case badSignature = "bad_signature"
        /// Genuine, but past its expiry.
        case expired
    }

    public var code: Code
    /// For an expired token only: the survey it names. The signature was checked, so the id is ours,
    /// and the page saying "closed" can be in the survey's language.
    public var surveyID: String?

    public init(_ code: Code, surveyID: String? = nil) {
        self.code = code
        self.surveyID = surveyID
    }

    public var description: String { "survey token refused: \(code.rawValue)" }
}
