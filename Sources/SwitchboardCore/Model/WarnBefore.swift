/// How long before a clock's deadline its warning is due: a fixed stretch, or a share of the clock's
/// target so that a 15-minute clock and a 4-hour clock of the same policy both warn in time.
public enum WarnBefore: Sendable, Equatable, Hashable {
    /// Seconds of the clock's own (working) time before the deadline.
    case seconds(Double)
    /// A share of the target, above 0 and below 1 (`20%` is 0.2).
    case fraction(Double)

    /// The seconds before the deadline for a clock whose target is `target` seconds.
    public func seconds(ofTarget target: Double) -> Double {
        switch self {
        case let .seconds(seconds): seconds
        case let .fraction(fraction): target * fraction
        }
    }
}
