import SwitchboardCore

/// The satisfaction figures of a group of answered surveys.
///
/// - `csat`: CSAT answers scoring 4 or 5 / CSAT answers, a share from 0 to 1.
/// - `nps`: the net promoter score of the NPS answers, % promoters (9-10) − % detractors (0-6), from
///   −100 to 100; passives (7-8) count in the denominator only.
///
/// A score outside its kind's scale is not an answer and is left out (stores refuse such answers).
/// Either figure is nil when there is no answer of its kind.
public struct SurveyScores: Sendable, Equatable {
    public var csatResponses: Int
    /// CSAT answers of 4 or 5.
    public var csatSatisfied: Int
    public var npsResponses: Int
    /// NPS answers of 9 or 10.
    public var promoters: Int
    /// NPS answers of 0 to 6.
    public var detractors: Int

    public var csat: Double? {
        csatResponses == 0 ? nil : Double(csatSatisfied) / Double(csatResponses)
    }

    public var nps: Double? {
        npsResponses == 0 ? nil : 100 * Double(promoters - detractors) / Double(npsResponses)
    }

    public init(_ surveys: [AnsweredSurvey]) {
        let csat = surveys.filter { $0.kind == .csat && SurveyKind.csat.scale.contains($0.score) }
        let nps = surveys.filter { $0.kind == .nps && SurveyKind.nps.scale.contains($0.score) }
        csatResponses = csat.count
        csatSatisfied = csat.filter { SurveyKind.csat.isSatisfied($0.score) }.count
        npsResponses = nps.count
        promoters = nps.filter { SurveyKind.nps.isSatisfied($0.score) }.count
        detractors = nps.filter { $0.score <= 6 }.count
    }
}
