import Foundation

/// The wall-clock fields of a moment in a time zone, in the proleptic Gregorian calendar.
///
/// Computed from the zone's offset with integer arithmetic: `Calendar.dateComponents` costs several
/// microseconds a call on Linux, and every inbound message asks for business hours and writes a due time.
public struct LocalDateTime: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var day: Int
    /// 1 = Sunday … 7 = Saturday (Foundation's numbering).
    public var weekday: Int
    /// Minutes since local midnight.
    public var minuteOfDay: Int
    /// Seconds past the minute.
    public var second: Int

    public var hour: Int { minuteOfDay / 60 }
    public var minute: Int { minuteOfDay % 60 }

    public init(_ date: Date, in timeZone: TimeZone) {
        let local = Int((date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))).rounded(.down))
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = local - days * 86_400
        minuteOfDay = secondOfDay / 60
        second = secondOfDay % 60
        // 1970-01-01 was a Thursday, weekday 5.
        weekday = ((days % 7 + 7 + 4) % 7) + 1
        // Days from 0000-03-01, so that a leap day falls at the end of its (March-based) year; then
        // 400-year eras of 146,097 days.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// `yyyy-MM-dd`.
    public var dateKey: String { year.zeroPadded(4) + "-" + month.zeroPadded(2) + "-" + day.zeroPadded(2) }
}
