import Foundation
import Gateway
import Rules
import SwitchboardCore
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
        #expect(reasons.contains { $0.condition.contains("sentiment=negative") })
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
