import Foundation
import SwitchboardCore

extension BusinessCalendar: WorkingTime {
    /// The business seconds between two moments: the inverse of ``adding(_:to:)``, so the time an SLA
    /// clock has used and the deadline it states always agree. 0 when `end` is not after `start`;
    /// elapsed time for a calendar that never opens, as ``adding(_:to:)`` falls back to.
    public func workingSeconds(from start: Date, to end: Date) -> Double {
        guard end > start else { return 0 }
        guard everOpens else { return end.timeIntervalSince(start) }
        let calendar = gregorian
        var total = 0.0
        var day = calendar.startOfDay(for: start)
        while day < end {
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            for (opens, closes) in openRanges(from: day, to: next) {
                let from = max(opens, start)
                let to = min(closes, end)
                if from < to { total += to.timeIntervalSince(from) }
            }
            day = next
        }
        return total
    }
}
