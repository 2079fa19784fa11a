import Foundation

/// One SLA clock of a conversation as agents see it at an instant: computed from its log, never stored.
public struct ClockSummary: Sendable, Codable, Equatable {
    public var kind: ClockKind
    public var status: ClockStatus
    /// The SLA policy its current target comes from.
    public var policy: String
    /// The deadline; nil while paused before it (it moves until the clock resumes).
    public var dueAt: Date?
    /// When the warning is (or was) due; nil without one.
    public var warnAt: Date?
    /// Working seconds left before the deadline; negative once it has passed.
    public var remainingSeconds: Double
    public var fulfilledAt: Date?
    /// Why it is paused, while it is.
    public var pauseReason: String?

    public init(
        kind: ClockKind, status: ClockStatus, policy: String, dueAt: Date?, warnAt: Date?, remainingSeconds: Double,
        fulfilledAt: Date?, pauseReason: String?
    ) {
        self.kind = kind
        self.status = status
        self.policy = policy
        self.dueAt = dueAt
        self.warnAt = warnAt
        self.remainingSeconds = remainingSeconds
        self.fulfilledAt = fulfilledAt
        self.pauseReason = pauseReason
    }
}
