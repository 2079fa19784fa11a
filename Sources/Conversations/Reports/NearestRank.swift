/// Percentiles by the nearest-rank method: the `p`-th percentile of `n` values is the value at rank
/// ⌈p·n⌉ (1-based) of the values in ascending order. It is always one of the observed values (no
/// interpolation), so a reported p90 is a time some conversation actually took.
public enum NearestRank {
    /// The `fraction` percentile (0.5 for p50, 0.9 for p90) of `values`; nil when there are none.
    public static func percentile(_ fraction: Double, of values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        // A small tolerance, so 0.9 × 10 (8.999… in binary) is rank 9, not 10.
        let rank = Int((fraction * Double(sorted.count) - 1e-9).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
