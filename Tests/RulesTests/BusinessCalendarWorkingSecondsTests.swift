import Foundation
import Pipeline
import Rules
import SwitchboardCore
import TestSupport
import Testing

@Suite("Business seconds between two instants, the inverse of adding business time")
struct BusinessCalendarWorkingSecondsTests {
    static let shipped = try! RuleDirectory.load(Fixtures.shippedRules).rules.calendars["cn-support"]!

    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    /// The shipped hours in another zone, also open on Saturdays and all Sunday with a boundary inside
    /// the spring-forward gap (02:30), so daylight saving changes fall in business hours.
    static func sevenDays(in zone: String) -> BusinessCalendar {
        var calendar = shipped
        calendar.timeZone = TimeZone(identifier: zone)!
        calendar.hours[7] = [.init(start: 8 * 60, end: 20 * 60)]
        calendar.hours[1] = [.init(start: 150, end: 12 * 60), .init(start: 13 * 60, end: 1440)]
        return calendar
    }

    static let calendars: [BusinessCalendar] = [
        shipped, sevenDays(in: "America/New_York"), sevenDays(in: "Australia/Lord_Howe"), sevenDays(in: "Europe/Berlin"),
    ]

    @Test("business seconds on cn-support skip the lunch break, the night, the weekend and holidays, and count make-up days")
    func examples() {
        let calendar = Self.shipped
        func seconds(_ from: String, _ to: String) -> Double { calendar.workingSeconds(from: Self.at(from), to: Self.at(to)) }
        #expect(seconds("2026-11-23T11:00:00+08:00", "2026-11-23T14:00:00+08:00") == 2 * 3600)    // across lunch
        #expect(seconds("2026-12-02T17:30:00+08:00", "2026-12-03T10:30:00+08:00") == 2 * 3600)    // across midnight
        #expect(seconds("2026-11-27T17:30:00+08:00", "2026-11-30T10:30:00+08:00") == 2 * 3600)    // across the weekend
        #expect(seconds("2026-09-30T17:00:00+08:00", "2026-10-08T10:00:00+08:00") == 2 * 3600)    // across National Day
        #expect(seconds("2026-10-09T17:00:00+08:00", "2026-10-10T10:00:00+08:00") == 2 * 3600)    // into make-up Saturday
        #expect(seconds("2026-11-28T09:00:00+08:00", "2026-11-29T18:00:00+08:00") == 0)           // a plain weekend
        #expect(seconds("2026-11-23T14:00:00+08:00", "2026-11-23T11:00:00+08:00") == 0)           // backwards
        #expect(seconds("2026-11-23T00:00:00+08:00", "2026-11-30T00:00:00+08:00") == 5 * 8 * 3600) // a whole week
    }

    @Test("on a day the clocks change, opening hours follow local time: a skipped opening time opens when the clocks jump")
    func daylightSaving() {
        let newYork = Self.sevenDays(in: "America/New_York")
        // Sunday 8 March 2026: 02:00 EST becomes 03:00 EDT; Sunday opens at 02:30, which does not exist
        // that night, so it opens when the clocks jump (07:00Z).
        #expect(newYork.workingSeconds(from: Self.at("2026-03-08T06:00:00Z"), to: Self.at("2026-03-08T08:00:00Z")) == 3600)
        #expect(newYork.isOpen(at: Self.at("2026-03-08T07:00:00Z")))
        #expect(!newYork.isOpen(at: Self.at("2026-03-08T06:59:00Z")))
        // Saturday 19:00 EST + 3h: one hour on Saturday, then from 03:00 EDT on Sunday.
        #expect(newYork.adding(3 * 3600, to: Self.at("2026-03-07T19:00:00-05:00")) == Self.at("2026-03-08T05:00:00-04:00"))
        // Saturday 31 October 19:00 EDT + 3h: Sunday 1 November is an hour longer; it opens at 02:30 EST.
        #expect(newYork.adding(3 * 3600, to: Self.at("2026-10-31T19:00:00-04:00")) == Self.at("2026-11-01T04:30:00-05:00"))
        // A whole Sunday is 23 or 25 hours of wall time; its business hours are the local hours of
        // 02:30-12:00 and 13:00-24:00 that exist: 20.5, less the skipped half hour in spring.
        #expect(newYork.workingSeconds(from: Self.at("2026-03-08T00:00:00-05:00"), to: Self.at("2026-03-09T00:00:00-04:00")) == 20 * 3600)
        #expect(newYork.workingSeconds(from: Self.at("2026-11-01T00:00:00-04:00"), to: Self.at("2026-11-02T00:00:00-05:00")) == 20.5 * 3600)
        // Saturday opens at 08:00 local whichever offset applies.
        #expect(newYork.adding(60, to: Self.at("2026-03-14T07:00:00-04:00")) == Self.at("2026-03-14T08:01:00-04:00"))
    }

    @Test("workingSeconds and adding are each other's inverse at random instants, in zones with and without daylight saving")
    func inverseOfAdding() {
        var random = FuzzRandom(state: 0x5EED_C10C)
        let start = Self.at("2026-01-01T00:00:00Z").timeIntervalSince1970
        for calendar in Self.calendars {
            for _ in 0..<1500 {
                let from = Date(timeIntervalSince1970: start + Double(random.below(365 * 86400)) + Double(random.below(1000)) / 1000)
                let seconds = Double(1 + random.below(60 * 3600)) + Double(random.below(1000)) / 1000
                let due = calendar.adding(seconds, to: from)
                #expect(abs(calendar.workingSeconds(from: from, to: due) - seconds) < 1e-3, "\(calendar.timeZone.identifier) \(from) + \(seconds)")
                // The moment just before the deadline is business time.
                #expect(calendar.isOpen(at: due.addingTimeInterval(-0.001)), "\(calendar.timeZone.identifier) \(from) + \(seconds)")
                let later = Date(timeIntervalSince1970: from.timeIntervalSince1970 + Double(random.below(10 * 86400)))
                let worked = calendar.workingSeconds(from: from, to: later)
                if worked > 0 {
                    let reached = calendar.adding(worked, to: from)
                    #expect(reached <= later.addingTimeInterval(1e-3))
                    #expect(abs(calendar.workingSeconds(from: from, to: reached) - worked) < 1e-3)
                }
            }
        }
    }

    @Test("workingSeconds equals counting the minutes isOpen says are open, across daylight saving changes")
    func matchesMinuteCount() {
        var random = FuzzRandom(state: 0xB0A7_1157)
        let changes = ["2026-03-08T00:00:00-05:00", "2026-11-01T00:00:00-04:00", "2026-04-05T00:00:00+11:00", "2026-10-04T00:00:00+10:30",
                       "2026-03-29T00:00:00+01:00", "2026-10-25T00:00:00+02:00", "2026-09-30T12:00:00+08:00"].map(Self.at)
        for calendar in Self.calendars {
            for round in 0..<120 {
                let anchor = round < changes.count * 6 ? changes[round % changes.count].timeIntervalSince1970 - 86400
                    : Self.at("2026-01-01T00:00:00Z").timeIntervalSince1970 + Double(random.below(365 * 86400))
                let from = (anchor / 60).rounded(.down) * 60 + Double(random.below(2 * 1440)) * 60
                let to = from + Double(random.below(3 * 1440)) * 60
                var open = 0.0
                var minute = from
                while minute < to {
                    if calendar.isOpen(at: Date(timeIntervalSince1970: minute)) { open += 60 }
                    minute += 60
                }
                let worked = calendar.workingSeconds(from: Date(timeIntervalSince1970: from), to: Date(timeIntervalSince1970: to))
                #expect(worked == open, "\(calendar.timeZone.identifier) \(Date(timeIntervalSince1970: from)) → \(Date(timeIntervalSince1970: to))")
            }
        }
    }
}
