import Foundation

/// The time an SLA clock counts: every second (``RoundTheClock``) or only business hours (a business
/// calendar). The two functions are each other's inverse, so a deadline and the time elapsed towards
/// it always agree.
public protocol WorkingTime: Sendable {
    /// The moment `seconds` of working time after `date` (for `seconds` > 0, the earliest moment at which
    /// that much working time has passed).
    func adding(_ seconds: Double, to date: Date) -> Date
    /// The working seconds between two moments; 0 when `end` is not after `start`.
    func workingSeconds(from start: Date, to end: Date) -> Double
}
