/// A figure of a service report below the standards' threshold (see ``ServiceThresholds``).
public struct ServiceFlag: Sendable, Equatable {
    /// What is flagged.
    public enum Metric: String, Sendable, Equatable, CaseIterable {
        case firstResponseAttainment = "first_response_attainment"
        case resolutionAttainment = "resolution_attainment"
        case firstContactResolution = "first_contact_resolution"
        case csat
    }

    public var metric: Metric
    /// The figure, a share from 0 to 1.
    public var value: Double
    /// The threshold it fell below.
    public var threshold: Double

    public init(metric: Metric, value: Double, threshold: Double) {
        self.metric = metric
        self.value = value
        self.threshold = threshold
    }

    /// A flag when `value` is below `threshold`; none when it is not, or when there is no value (nothing
    /// to measure: a zero denominator is not a failure).
    public static func check(_ metric: Metric, _ value: Double?, below threshold: Double) -> ServiceFlag? {
        guard let value, value < threshold else { return nil }
        return ServiceFlag(metric: metric, value: value, threshold: threshold)
    }
}
