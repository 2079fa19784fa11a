import Foundation

/// Working time that never stops: every elapsed second counts.
public struct RoundTheClock: WorkingTime, Equatable {
    public init() {}

    public func adding(_ seconds: Double, to date: Date) -> Date { date.addingTimeInterval(seconds) }

    public func workingSeconds(from start: Date, to end: Date) -> Double { max(0, end.timeIntervalSince(start)) }
}
