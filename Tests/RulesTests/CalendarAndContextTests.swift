import Foundation
import Pipeline
import Rules
import SwitchboardCore
import TestSupport
import Testing

@Suite("Business calendars and structural signals")
struct CalendarAndContextTests {
    static let rules = try! RuleDirectory.load(Fixtures.shippedRules).rules

    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test("business hours follow weekdays, lunch breaks, holidays and make-up working days")
    func calendar() throws {
        let calendar = try #require(Self.rules.calendars["cn-support"])
        #expect(calendar.isOpen(at: Self.at("2026-11-23T10:00:00+08:00")))     // Monday morning
        #expect(!calendar.isOpen(at: Self.at("2026-11-23T12:30:00+08:00")))    // lunch
        #expect(!calendar.isOpen(at: Self.at("2026-11-23T18:00:00+08:00")))    // closing time is closed
        #expect(!calendar.isOpen(at: Self.at("2026-11-22T10:00:00+08:00")))    // Sunday
        #expect(!calendar.isOpen(at: Self.at("2026-10-01T10:00:00+08:00")))    // National Day
        #expect(calendar.isOpen(at: Self.at("2026-09-20T10:00:00+08:00")))     // make-up Sunday
        #expect(calendar.isOpen(at: Self.at("2026-11-23T02:30:00Z")))          // 10:30 in Shanghai
    }

    @Test("writing again, waiting and reopening raise urgency even without cue words")
    func structural() {
        func urgency(_ context: ConversationContext?) -> (Urgency, [String]) {
            let now = Self.at("2026-11-23T10:00:00+08:00")
            let result = Self.rules.classify(ClassificationInput(
                channel: "webhook", source: "t", sender: "a@example.com", subject: nil, text: "请问订单的情况", receivedAt: now, context: context))
            return (result.urgency, result.firedSignals)
        }
        let now = Self.at("2026-11-23T10:00:00+08:00")
        let (calm, none) = urgency(nil)
        #expect(none.isEmpty)
        let again = urgency(ConversationContext(priorInboundMessages: 2, lastInboundAt: now.addingTimeInterval(-1800), waitingSince: now.addingTimeInterval(-3 * 3600), reopening: false))
        #expect(again.1.contains("repeat-contact"))
        #expect(again.1.contains("long-unanswered-wait"))
        #expect(again.0 > calm)
        let stale = urgency(ConversationContext(priorInboundMessages: 1, lastInboundAt: now.addingTimeInterval(-3 * 86400), waitingSince: nil, reopening: false))
        #expect(!stale.1.contains("repeat-contact"))
        let reopened = urgency(ConversationContext(priorInboundMessages: 1, lastInboundAt: nil, waitingSince: nil, reopening: true))
        #expect(reopened.1.contains("reopened-conversation"))
    }

    @Test("each route that fires records which part of its condition held")
    func routeReasons() throws {
        let result = Self.rules.classify(ClassificationInput(
            channel: "webhook", source: "t", sender: "a@example.com", subject: nil, text: "你们客服态度太差了",
            receivedAt: Self.at("2026-11-23T10:00:00+08:00")))
        let reasons = try #require(result.route.reasons)
        #expect(reasons.map(\.route) == result.route.fired)
        #expect(reasons.contains { $0.condition.contains("sentiment_strength=strong") })
    }
}

extension CalendarAndContextTests {
    @Test("SLA clocks on a calendar count business time only: across lunch, the night, weekends and holidays")
    func businessTimeClock() throws {
        let calendar = try #require(Self.rules.calendars["cn-support"])
        let twoHours = 2.0 * 3600
        // Monday 11:00 + 2h of business time: one hour before lunch, one after → 14:00.
        #expect(calendar.adding(twoHours, to: Self.at("2026-11-23T11:00:00+08:00")) == Self.at("2026-11-23T14:00:00+08:00"))
        // Friday 17:30 + 2h → Monday 10:30.
        #expect(calendar.adding(twoHours, to: Self.at("2026-11-27T17:30:00+08:00")) == Self.at("2026-11-30T10:30:00+08:00"))
        // Saturday night → Monday 11:00.
        #expect(calendar.adding(twoHours, to: Self.at("2026-11-28T23:00:00+08:00")) == Self.at("2026-11-30T11:00:00+08:00"))
        // Across National Day: 30 Sep 17:00 + 2h → the first working day after the holiday, 10:00.
        let after = calendar.adding(twoHours, to: Self.at("2026-09-30T17:00:00+08:00"))
        #expect(after > Self.at("2026-10-07T23:59:00+08:00"))
        #expect(calendar.isOpen(at: after.addingTimeInterval(-1)))
    }
}

extension CalendarAndContextTests {
    /// `isOpen` works from the zone offset with integer date arithmetic; Foundation's calendar is the
    /// reference it must agree with, across zones with daylight saving, dates before 1970, leap days
    /// and holidays.
    @Test("local dates and business hours agree with Foundation's calendar at random moments in several zones")
    func isOpenMatchesFoundation() throws {
        let shipped = try #require(Self.rules.calendars["cn-support"])
        var random = SystemRandomNumberGenerator()
        for zone in ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"] {
            var calendar = shipped
            calendar.timeZone = try #require(TimeZone(identifier: zone))
            calendar.holidays.insert("2024-02-29")
            calendar.workingDays.insert("1969-12-28")
            var gregorian = Calendar(identifier: .gregorian)
            gregorian.timeZone = calendar.timeZone
            var moments = (0..<4000).map { _ in Date(timeIntervalSince1970: Double.random(in: -2e9...4e9, using: &random)) }
            moments += [Self.at("2024-02-29T10:00:00Z"), Self.at("1969-12-28T02:00:00Z"), Self.at("2026-03-29T01:30:00Z")]
            for moment in moments {
                let parts = gregorian.dateComponents([.year, .month, .day, .weekday, .hour, .minute, .second], from: moment)
                let key = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
                let minute = parts.hour! * 60 + parts.minute!
                let local = LocalDateTime(moment, in: calendar.timeZone)
                let ours: [Int] = [local.year, local.month, local.day, local.weekday, local.hour, local.minute, local.second]
                let foundation: [Int] = [parts.year!, parts.month!, parts.day!, parts.weekday!, parts.hour!, parts.minute!, parts.second!]
                #expect(ours == foundation, "\(zone) \(moment)")
                let intervals = calendar.holidays.contains(key) ? [] :
                    calendar.workingDays.contains(key) ? calendar.makeUpHours : calendar.hours[parts.weekday!] ?? []
                let expected = intervals.contains { minute >= $0.start && minute < $0.end }
                #expect(calendar.isOpen(at: moment) == expected, "\(zone) \(moment)")
            }
        }
    }
}
