import Foundation

/// Opening hours in a time zone, with holidays and make-up working days, so routes can tell
/// "outside business hours" and SLA clocks can follow working time.
public struct BusinessCalendar: Sendable, Equatable {
    /// A span of a day, in minutes since local midnight; `end` may be 1440.
    public struct Interval: Sendable, Equatable {
        public var start: Int
        public var end: Int
    }

    public var id: String
    public var timeZone: TimeZone
    /// Intervals per weekday, 1 = Sunday … 7 = Saturday (Foundation's numbering).
    public var hours: [Int: [Interval]]
    /// Local dates (`yyyy-MM-dd`) that are closed all day.
    public var holidays: Set<String>
    /// Local dates that are working days although their weekday is not (调休), using `makeUpHours`.
    public var workingDays: Set<String>
    /// The hours of a make-up working day (Monday's by default).
    public var makeUpHours: [Interval]

    /// Whether the moment falls in business hours.
    public func isOpen(at date: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day, let weekday = parts.weekday else { return false }
        let key = String(format: "%04d-%02d-%02d", year, month, day)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        let intervals: [Interval]
        if holidays.contains(key) {
            return false
        } else if workingDays.contains(key) {
            intervals = makeUpHours
        } else {
            intervals = hours[weekday] ?? []
        }
        return intervals.contains { minute >= $0.start && minute < $0.end }
    }
}
