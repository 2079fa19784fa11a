/// The question a satisfaction survey asks.
public enum SurveyKind: String, Sendable, Codable, CaseIterable {
    /// Customer satisfaction: "how satisfied are you", 1 (very dissatisfied) to 5 (very satisfied).
    case csat
    /// Net promoter score: "how likely are you to recommend us", 0 to 10.
    case nps

    /// The scores an answer may give.
    public var scale: ClosedRange<Int> {
        switch self {
        case .csat: 1...5
        case .nps: 0...10
        }
    }

    /// Whether a score counts as satisfied: 4-5 for CSAT (the share of these is the CSAT figure), 9-10
    /// (promoters) for NPS.
    public func isSatisfied(_ score: Int) -> Bool {
        switch self {
        case .csat: score >= 4
        case .nps: score >= 9
        }
    }
}
