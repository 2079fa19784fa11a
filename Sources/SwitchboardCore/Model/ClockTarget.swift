/// What a clock counts towards, as bound from an SLA policy when it started or was retargeted. The log
/// carries it, so a deadline can be recomputed from the log alone even after the rules have changed.
public struct ClockTarget: Sendable, Equatable, Hashable {
    /// The SLA policy the target comes from.
    public var policy: String
    /// Seconds of working time until the deadline.
    public var seconds: Double
    /// The business calendar the clock counts on; nil for round-the-clock time.
    public var calendar: String?
    /// When the warning is due; nil for no warning.
    public var warnBefore: WarnBefore?

    public init(policy: String, seconds: Double, calendar: String? = nil, warnBefore: WarnBefore? = nil) {
        self.policy = policy
        self.seconds = seconds
        self.calendar = calendar
        self.warnBefore = warnBefore
    }

    /// Working seconds after the start at which the warning is due: never before the start, and nil
    /// without a warning.
    public var warningThreshold: Double? {
        warnBefore.map { max(0, seconds - $0.seconds(ofTarget: seconds)) }
    }
}
