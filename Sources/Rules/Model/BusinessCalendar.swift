import Foundation
import SwitchboardCore

/// Opening hours in a time zone, with holidays and make-up working days, so routes can tell
/// "outside business hours" and SLA clocks can follow working time.
public struct BusinessCalendar: Sendable, Equatable {
    /// A span of a day, in minutes since local midnight; `end` may be 1440.
    public struct Interval: Sendable, Equatable {
        public var start: Int
        public var end: Int

        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }
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

    public init(
        id: String, timeZone: TimeZone, hours: [Int: [Interval]], holidays: Set<String> = [], workingDays: Set<String> = [],
        makeUpHours: [Interval]? = nil
    ) {
        self.id = id
        self.timeZone = timeZone
        self.hours = hours
        self.holidays = holidays
        self.workingDays = workingDays
        self.makeUpHours = makeUpHours ?? hours[2] ?? []
    }

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
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            for (opens, closes) in openRanges(from: day, to: next) {
                let from = max(opens, date)
                guard from < closes else { continue }
                let available = closes.timeIntervalSince(from)
                if remaining <= available { return from.addingTimeInterval(remaining) }
                remaining -= available
            }
            day = next
        }
        return date.addingTimeInterval(seconds)
    }

    /// The stretches of the local day from `day` to `next` (its start and the next day's) that are open,
    /// in order: exactly the moments ``isOpen(at:)`` accepts. On a day when the clocks change, a local
    /// time is found on each side of the change with that side's offset, so adding minutes to midnight
    /// is not an hour off, a time the change skips opens when the clocks jump, and a time it repeats
    /// is open each time it occurs.
    func openRanges(from day: Date, to next: Date) -> [(Date, Date)] {
        let opening = intervals(on: LocalDateTime(day, in: timeZone))
        guard !opening.isEmpty else { return [] }
        let offset = timeZone.secondsFromGMT(for: day)
        // Local midnight as seconds of wall time (startOfDay is 01:00 where midnight itself is skipped).
        let midnight = ((day.timeIntervalSince1970 + Double(offset)) / 86_400).rounded(.down) * 86_400
        var pieces = [(day, next, offset)]
        if timeZone.secondsFromGMT(for: next) != offset, let change = timeZone.nextDaylightSavingTimeTransition(after: day), change < next {
            pieces = [(day, change, offset), (change, next, timeZone.secondsFromGMT(for: change))]
        }
        var ranges: [(Date, Date)] = []
        for interval in opening {
            for (from, to, offset) in pieces {
                let opens = max(from, Date(timeIntervalSince1970: midnight + Double(interval.start) * 60 - Double(offset)))
                let closes = min(to, Date(timeIntervalSince1970: midnight + Double(interval.end) * 60 - Double(offset)))
                if opens < closes { ranges.append((opens, closes)) }
            }
        }
        return ranges.count > 1 ? ranges.sorted { $0.0 < $1.0 } : ranges
    }

    var gregorian: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The opening intervals of the local day `local` falls on. The date key is only written when
    /// there are holidays or make-up days to look it up in.
    func intervals(on local: LocalDateTime) -> [Interval] {
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
