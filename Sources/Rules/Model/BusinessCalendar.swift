import Foundation
import SwitchboardCore

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

    /// Whether the moment falls in business hours. Routes ask this for every message, so it avoids
    /// Foundation's calendar (see ``LocalDateTime``).
    public func isOpen(at date: Date) -> Bool {
        let local = LocalDateTime(date, in: timeZone)
        return intervals(on: local).contains { local.minuteOfDay >= $0.start && local.minuteOfDay < $0.end }
    }

    /// The moment `seconds` of business time after `date`: an SLA of 2 hours received at 17:30 on a
    /// Friday is due at 10:30 on Monday. Falls back to calendar time if the calendar never opens.
    public func adding(_ seconds: Double, to date: Date) -> Date {
        let calendar = gregorian
        var remaining = seconds
        var day = calendar.startOfDay(for: date)
        for _ in 0..<800 {
            for interval in intervals(on: LocalDateTime(day, in: timeZone)).sorted(by: { $0.start < $1.start }) {
                let opens = day.addingTimeInterval(Double(interval.start) * 60)
                let closes = day.addingTimeInterval(Double(interval.end) * 60)
                let from = max(opens, date)
                guard from < closes else { continue }
                let available = closes.timeIntervalSince(from)
                if remaining <= available { return from.addingTimeInterval(remaining) }
                remaining -= available
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return date.addingTimeInterval(seconds)
    }

    private var gregorian: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The opening intervals of the local day `local` falls on. The date key is only written when
    /// there are holidays or make-up days to look it up in.
    private func intervals(on local: LocalDateTime) -> [Interval] {
        if !holidays.isEmpty || !workingDays.isEmpty {
            let key = local.dateKey
            if holidays.contains(key) { return [] }
            if workingDays.contains(key) { return makeUpHours }
        }
        return hours[local.weekday] ?? []
    }

    /// Whether the calendar has any opening hours at all.
    public var everOpens: Bool { hours.values.contains { !$0.isEmpty } }
}
