/// One clock's figures over a group of conversations: how long its fulfilled counts took and how many
/// were met.
///
/// - The times (`p50Seconds`, `p90Seconds`) are percentiles by ``NearestRank`` of every fulfilled count,
///   met or missed, in the clock's own counted time: working seconds on a business calendar, paused
///   time (waiting on the customer) left out, exactly what ``ServiceClock`` counts towards the deadline.
/// - Attainment is the share of counts that are over (fulfilled, or overdue) that were met: counts still
///   running or paused before their deadline are left out, since they may still be met.
public struct ClockAttainment: Sendable, Equatable {
    /// The median counted time of the fulfilled counts; nil when none was fulfilled.
    public var p50Seconds: Double?
    /// The 90th percentile; nil when none was fulfilled.
    public var p90Seconds: Double?
    /// Counts fulfilled, in time or late.
    public var fulfilled: Int
    /// Counts fulfilled in time with no breach recorded.
    public var met: Int
    /// The denominator of the attainment: counts fulfilled, plus those not fulfilled and past their deadline.
    public var counted: Int

    /// `met / counted`; nil when nothing counted.
    public var attainment: Double? {
        counted == 0 ? nil : Double(met) / Double(counted)
    }

    public init(_ outcomes: [ClockOutcome]) {
        let times = outcomes.compactMap(\.seconds)
        p50Seconds = NearestRank.percentile(0.5, of: times)
        p90Seconds = NearestRank.percentile(0.9, of: times)
        fulfilled = times.count
        met = outcomes.filter { if case .met = $0 { true } else { false } }.count
        counted = outcomes.filter { $0 != .pending }.count
    }
}
