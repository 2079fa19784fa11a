import Conversations
import Foundation
import Rules
import SwitchboardCore
import TestSupport
import Testing

@Suite("SLA clocks computed from their logs")
struct ServiceClockTests {
    /// The shipped Beijing calendar: Monday to Friday 09:00-12:00 and 13:00-18:00, 2026 holidays and make-up days.
    static let cnSupport = try! RuleSetLoader(directory: Fixtures.shippedRules).load().calendars["cn-support"]!
    /// An on-call desk in New York, open 08:00-20:00 every day.
    static let newYork = BusinessCalendar(
        id: "ny-desk", timeZone: TimeZone(identifier: "America/New_York")!,
        hours: Dictionary(uniqueKeysWithValues: (1...7).map { ($0, [BusinessCalendar.Interval(start: 8 * 60, end: 20 * 60)]) }))

    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func workingTime(_ calendar: String?) -> any WorkingTime {
        switch calendar {
        case "cn-support": cnSupport
        case "ny-desk": newYork
        default: RoundTheClock()
        }
    }

    static func target(_ seconds: Double, on calendar: String? = "cn-support", warn: WarnBefore? = nil, policy: String = "complaint") -> ClockTarget {
        ClockTarget(policy: policy, seconds: seconds, calendar: calendar, warnBefore: warn)
    }

    /// The clock whose log is `events` (time, action), as it stands at `now`.
    static func state(_ events: [(String, ClockEvent.Action)], at now: String) throws -> ClockState {
        let clock = ServiceClock(kind: .firstResponse, log: events.map { ClockEvent(at: at($0.0), $0.1) })
        return try #require(clock.state(at: at(now), workingTime: workingTime))
    }

    static let twoHours = 2.0 * 3600

    @Test("business time on Asia/Shanghai: across midnight, a weekend, a holiday and into a make-up working day")
    func businessTime() throws {
        // Wednesday 17:30: half an hour that evening, then 09:00-10:30 on Thursday.
        let evening = [("2026-12-02T17:30:00+08:00", ClockEvent.Action.started(Self.target(Self.twoHours)))]
        let night = try Self.state(evening, at: "2026-12-03T02:00:00+08:00")
        #expect(night.status == .running)
        #expect(night.elapsed == 1800)
        #expect(night.remaining == 5400)
        #expect(night.dueAt == Self.at("2026-12-03T10:30:00+08:00"))
        #expect(try Self.state(evening, at: "2026-12-03T10:29:59+08:00").status == .running)
        let due = try Self.state(evening, at: "2026-12-03T10:30:00+08:00")
        #expect(due.status == .breached)
        #expect(due.breachPending)
        #expect(due.remaining == 0)

        // Friday 17:00: one hour on Friday, nothing on the weekend, one hour on Monday.
        let friday = [("2026-11-27T17:00:00+08:00", ClockEvent.Action.started(Self.target(Self.twoHours)))]
        let sunday = try Self.state(friday, at: "2026-11-29T15:00:00+08:00")
        #expect(sunday.elapsed == 3600)
        #expect(sunday.dueAt == Self.at("2026-11-30T10:00:00+08:00"))

        // The day before National Day: one hour on 30 September, then the holiday week (1-7 October).
        let holiday = [("2026-09-30T17:00:00+08:00", ClockEvent.Action.started(Self.target(Self.twoHours)))]
        let inTheHoliday = try Self.state(holiday, at: "2026-10-05T11:00:00+08:00")
        #expect(inTheHoliday.status == .running)
        #expect(inTheHoliday.remaining == 3600)
        #expect(inTheHoliday.dueAt == Self.at("2026-10-08T10:00:00+08:00"))

        // Friday 9 October 17:00: Saturday 10 October is a make-up working day (调休) with Monday's hours.
        let makeUp = [("2026-10-09T17:00:00+08:00", ClockEvent.Action.started(Self.target(Self.twoHours)))]
        #expect(try Self.state(makeUp, at: "2026-10-09T20:00:00+08:00").dueAt == Self.at("2026-10-10T10:00:00+08:00"))
        #expect(try Self.state(makeUp, at: "2026-10-10T10:00:00+08:00").status == .breached)
    }

    @Test("across the daylight saving changes in New York, business hours follow local time and round-the-clock time counts real seconds")
    func daylightSaving() throws {
        // Saturday 7 March 19:00 EST + 3 business hours: 19:00-20:00, then Sunday 08:00 EDT (the clocks
        // went forward at 02:00) to 10:00 EDT.
        let spring = [("2026-03-07T19:00:00-05:00", ClockEvent.Action.started(Self.target(3 * 3600, on: "ny-desk")))]
        #expect(try Self.state(spring, at: "2026-03-08T09:00:00-04:00").dueAt == Self.at("2026-03-08T10:00:00-04:00"))
        #expect(try Self.state(spring, at: "2026-03-08T09:00:00-04:00").elapsed == 2 * 3600)
        // Saturday 31 October 19:00 EDT + 3 business hours: Sunday opens at 08:00 EST, an hour later in UTC.
        let autumn = [("2026-10-31T19:00:00-04:00", ClockEvent.Action.started(Self.target(3 * 3600, on: "ny-desk")))]
        #expect(try Self.state(autumn, at: "2026-11-01T09:00:00-05:00").dueAt == Self.at("2026-11-01T10:00:00-05:00"))
        // 24 hours round the clock from Saturday noon EST end at 13:00 EDT on Sunday: 24 real hours.
        let elapsed = [("2026-03-07T12:00:00-05:00", ClockEvent.Action.started(Self.target(24 * 3600, on: nil)))]
        #expect(try Self.state(elapsed, at: "2026-03-08T12:00:00-04:00").dueAt == Self.at("2026-03-08T13:00:00-04:00"))
        #expect(try Self.state(elapsed, at: "2026-03-08T12:00:00-04:00").remaining == 3600)
    }

    @Test("pausing stops the working-time count and resuming goes on from there; the deadline is unknown while paused")
    func pauseAndResume() throws {
        var log: [(String, ClockEvent.Action)] = [
            ("2026-11-23T10:00:00Z", .started(Self.target(3600, on: nil, warn: .fraction(0.2)))),
            ("2026-11-23T10:20:00Z", .paused(reason: "waiting_on_customer")),
        ]
        let paused = try Self.state(log, at: "2026-11-23T11:30:00Z")
        #expect(paused.status == .paused)
        #expect(paused.elapsed == 1200)
        #expect(paused.dueAt == nil)
        #expect(paused.warnAt == nil)
        #expect(paused.nextTimerAt == nil)
        #expect(paused.pauseReason == "waiting_on_customer")
        // A second pause while paused changes nothing.
        log.append(("2026-11-23T11:40:00Z", .paused(reason: "other")))
        log.append(("2026-11-23T12:00:00Z", .resumed))
        let resumed = try Self.state(log, at: "2026-11-23T12:10:00Z")
        #expect(resumed.status == .running)
        #expect(resumed.elapsed == 1800)
        #expect(resumed.pauseReason == nil)
        #expect(resumed.dueAt == Self.at("2026-11-23T12:40:00Z"))
        #expect(resumed.warnAt == Self.at("2026-11-23T12:28:00Z"))     // 48 of 60 minutes: 20 before the pause, 28 after
        #expect(resumed.nextTimerAt == Self.at("2026-11-23T12:28:00Z"))
        #expect(!resumed.warningPending)

        // On business time: an hour on Monday morning, paused over the night, resumed Tuesday 10:00.
        let business: [(String, ClockEvent.Action)] = [
            ("2026-11-23T10:00:00+08:00", .started(Self.target(Self.twoHours))),
            ("2026-11-23T11:00:00+08:00", .paused(reason: "waiting_on_customer")),
            ("2026-11-24T10:00:00+08:00", .resumed),
        ]
        let tuesday = try Self.state(business, at: "2026-11-24T10:30:00+08:00")
        #expect(tuesday.elapsed == 5400)
        #expect(tuesday.dueAt == Self.at("2026-11-24T11:00:00+08:00"))
        // Paused before the deadline, the clock is not breached however long it waits.
        let waiting = try Self.state(Array(business.prefix(2)), at: "2026-12-24T10:00:00+08:00")
        #expect(waiting.status == .paused)
        #expect(!waiting.breachPending)
    }

    @Test("warnings fall a duration or a percentage of the target before the deadline, in the clock's working time; the timer owes each once")
    func warnings() throws {
        // Monday 11:00 + 2 business hours: due 14:00 after the lunch break.
        func clock(_ warn: WarnBefore, start: String = "2026-11-23T11:00:00+08:00") -> [(String, ClockEvent.Action)] {
            [(start, .started(Self.target(Self.twoHours, warn: warn)))]
        }
        #expect(try Self.state(clock(.seconds(900)), at: "2026-11-23T11:00:00+08:00").warnAt == Self.at("2026-11-23T13:45:00+08:00"))
        #expect(try Self.state(clock(.fraction(0.2)), at: "2026-11-23T11:00:00+08:00").warnAt == Self.at("2026-11-23T13:36:00+08:00"))
        // Started at 10:30, due 13:30: 20% (24 minutes) reaches back across lunch to 13:06, and 45
        // minutes to 11:45, before lunch.
        #expect(try Self.state(clock(.fraction(0.2), start: "2026-11-23T10:30:00+08:00"), at: "2026-11-23T10:30:00+08:00").warnAt
            == Self.at("2026-11-23T13:06:00+08:00"))
        #expect(try Self.state(clock(.seconds(2700), start: "2026-11-23T10:30:00+08:00"), at: "2026-11-23T10:30:00+08:00").warnAt
            == Self.at("2026-11-23T11:45:00+08:00"))

        var log = clock(.fraction(0.2))
        let before = try Self.state(log, at: "2026-11-23T13:35:59+08:00")
        #expect(!before.warningPending)
        #expect(before.nextTimerAt == Self.at("2026-11-23T13:36:00+08:00"))
        let warning = try Self.state(log, at: "2026-11-23T13:36:00+08:00")
        #expect(warning.warningPending)
        #expect(warning.status == .running)
        log.append(("2026-11-23T13:36:00+08:00", .warned))
        let warned = try Self.state(log, at: "2026-11-23T13:50:00+08:00")
        #expect(warned.warned)
        #expect(!warned.warningPending)
        #expect(warned.nextTimerAt == Self.at("2026-11-23T14:00:00+08:00"))
        // After downtime both are owed at once; the warning comes first.
        let late = try Self.state(clock(.fraction(0.2)), at: "2026-11-23T15:00:00+08:00")
        #expect(late.warningPending && late.breachPending)
        #expect(late.nextTimerAt == Self.at("2026-11-23T13:36:00+08:00"))
    }

    @Test("a breach: the deadline passing while running or before a pause, a late fulfilment, and recording it once")
    func breach() throws {
        let start = ("2026-11-23T10:00:00Z", ClockEvent.Action.started(Self.target(1800, on: nil)))
        let overdue = try Self.state([start], at: "2026-11-23T10:45:00Z")
        #expect(overdue.status == .breached)
        #expect(overdue.remaining == -900)
        #expect(overdue.breachPending)
        #expect(overdue.nextTimerAt == Self.at("2026-11-23T10:30:00Z"))
        let recorded = try Self.state([start, ("2026-11-23T10:30:00Z", .breached)], at: "2026-11-23T10:45:00Z")
        #expect(recorded.status == .breached)
        #expect(!recorded.breachPending)
        #expect(recorded.nextTimerAt == nil)
        // Paused after the deadline passed: still breached, and the deadline is the instant it passed.
        let pausedLate = try Self.state([start, ("2026-11-23T10:40:00Z", .paused(reason: "waiting_on_customer"))], at: "2026-11-23T12:00:00Z")
        #expect(pausedLate.status == .breached)
        #expect(pausedLate.dueAt == Self.at("2026-11-23T10:30:00Z"))
        // Fulfilled late, exactly on time, early.
        let late = try Self.state([start, ("2026-11-23T10:31:00Z", .fulfilled)], at: "2026-11-23T12:00:00Z")
        #expect(late.status == .breached)
        #expect(late.fulfilledAt == Self.at("2026-11-23T10:31:00Z"))
        #expect(!late.breachPending && late.nextTimerAt == nil)
        #expect(try Self.state([start, ("2026-11-23T10:30:00Z", .fulfilled)], at: "2026-11-23T12:00:00Z").status == .met)
        let early = try Self.state([start, ("2026-11-23T10:10:00Z", .fulfilled)], at: "2026-11-23T12:00:00Z")
        #expect(early.status == .met)
        #expect(early.elapsed == 600)
        #expect(early.dueAt == Self.at("2026-11-23T10:30:00Z"))
        #expect(early.nextTimerAt == nil)
        // Events after the instant asked about do not count yet.
        #expect(try Self.state([start, ("2026-11-23T10:10:00Z", .fulfilled)], at: "2026-11-23T10:05:00Z").status == .running)
        #expect(ServiceClock(kind: .resolution, log: [ClockEvent(at: Self.at("2026-11-23T10:00:00Z"), .resumed)])
            .state(at: Self.at("2026-11-23T11:00:00Z"), workingTime: RoundTheClock()) == nil)
    }

    @Test("retargeting carries the elapsed working time over to the new target and calendar by default")
    func retarget() throws {
        let complaint = ("2026-11-23T10:00:00+08:00", ClockEvent.Action.started(Self.target(Self.twoHours, warn: .fraction(0.2))))
        let crisis = Self.target(900, on: nil, warn: .fraction(0.2), policy: "crisis")
        // Escalated after 30 minutes to a 15-minute policy: already breached, since 10:15.
        let tighter = try Self.state([complaint, ("2026-11-23T10:30:00+08:00", .retargeted(crisis))], at: "2026-11-23T10:30:00+08:00")
        #expect(tighter.target == crisis)
        #expect(tighter.status == .breached)
        #expect(tighter.dueAt == Self.at("2026-11-23T10:15:00+08:00"))
        #expect(tighter.breachPending)
        // Escalated after 10 minutes to a 30-minute policy round the clock: due 20 minutes later. Not
        // carried over, the new 30 minutes start at the escalation.
        let urgent = Self.target(1800, on: nil, policy: "urgent-complaint")
        let carried = try Self.state([complaint, ("2026-11-23T10:10:00+08:00", .retargeted(urgent))], at: "2026-11-23T10:12:00+08:00")
        #expect(carried.dueAt == Self.at("2026-11-23T10:30:00+08:00"))
        #expect(carried.elapsed == 720)
        #expect(carried.startedAt == Self.at("2026-11-23T10:00:00+08:00"))
        let restarted = try Self.state([complaint, ("2026-11-23T10:10:00+08:00", .retargeted(urgent, carriesOver: false))], at: "2026-11-23T10:12:00+08:00")
        #expect(restarted.dueAt == Self.at("2026-11-23T10:40:00+08:00"))
        #expect(restarted.startedAt == Self.at("2026-11-23T10:10:00+08:00"))

        // From round-the-clock time to business time: Friday 17:00 for 4 hours, moved at 17:30 to 2
        // business hours. The 30 minutes carry over; 18:00 closes; one more hour on Monday.
        let friday: [(String, ClockEvent.Action)] = [
            ("2026-11-27T17:00:00+08:00", .started(Self.target(4 * 3600, on: nil, warn: .fraction(0.2), policy: "general-request"))),
            ("2026-11-27T17:10:00+08:00", .warned),
            ("2026-11-27T17:30:00+08:00", .retargeted(Self.target(Self.twoHours, warn: .fraction(0.2)))),
        ]
        let monday = try Self.state(friday, at: "2026-11-30T09:00:00+08:00")
        #expect(monday.elapsed == 3600)
        #expect(monday.dueAt == Self.at("2026-11-30T10:00:00+08:00"))
        // The new target has its own warning: the one recorded for the old target does not count.
        #expect(!monday.warned)
        #expect(monday.warnAt == Self.at("2026-11-30T09:36:00+08:00"))

        // A retarget while paused keeps the clock paused; a retarget after fulfilment changes nothing.
        let paused = try Self.state([complaint, ("2026-11-23T10:20:00+08:00", .paused(reason: "waiting_on_customer")),
                                     ("2026-11-23T10:30:00+08:00", .retargeted(urgent))], at: "2026-11-23T11:00:00+08:00")
        #expect(paused.status == .paused)
        #expect(paused.elapsed == 1200)
        let done = try Self.state([complaint, ("2026-11-23T10:20:00+08:00", .fulfilled), ("2026-11-23T10:30:00+08:00", .retargeted(crisis))],
                                  at: "2026-11-23T11:00:00+08:00")
        #expect(done.status == .met)
        #expect(done.target.policy == "complaint")
    }

    @Test("a recurring clock starts a new count after each fulfilment, with its own warning")
    func recurring() throws {
        let every15 = Self.target(900, on: nil, warn: .fraction(0.2), policy: "crisis")
        let log: [(String, ClockEvent.Action)] = [
            ("2026-11-23T10:00:00Z", .started(every15)),
            ("2026-11-23T10:12:00Z", .warned),
            ("2026-11-23T10:14:00Z", .fulfilled),
            ("2026-11-23T10:14:00Z", .started(every15)),
        ]
        let second = try Self.state(log, at: "2026-11-23T10:20:00Z")
        #expect(second.status == .running)
        #expect(second.startedAt == Self.at("2026-11-23T10:14:00Z"))
        #expect(second.fulfilledAt == nil)
        #expect(!second.warned)
        #expect(second.dueAt == Self.at("2026-11-23T10:29:00Z"))
        #expect(second.nextTimerAt == Self.at("2026-11-23T10:26:00Z"))
        #expect(try Self.state(Array(log.prefix(3)), at: "2026-11-23T10:20:00Z").status == .met)
    }

    @Test("the timer reads a clock at its log's last instant when a change was stamped after the timer's now: a retarget committed meanwhile is owed its warning, not dropped")
    func timerSettlesOnTheLastEvent() throws {
        // Six seconds, warned two before; a follow-up raised the policy a moment after the warning.
        let first = Self.target(6, on: nil, warn: .seconds(2), policy: "ordinary-inquiry")
        let stricter = Self.target(6, on: nil, warn: .seconds(2), policy: "urgent-complaint")
        let clock = ServiceClock(kind: .firstResponse, log: [
            ClockEvent(at: Self.at("2026-12-04T10:00:00Z"), .started(first)),
            ClockEvent(at: Self.at("2026-12-04T10:00:04Z"), .warned),
            ClockEvent(at: Self.at("2026-12-04T10:00:05Z"), .retargeted(stricter, carriesOver: true)),
        ])
        // The timer read its clock at 10:00:04.5, before the retarget's instant, and ran its transaction after it.
        let now = Self.at("2026-12-04T10:00:04Z").addingTimeInterval(0.5)
        let early = try #require(clock.state(at: now, workingTime: Self.workingTime))
        #expect(early.target.policy == "ordinary-inquiry" && early.warned && !early.warningPending && !early.breachPending)

        let settled = try #require(clock.settledState(at: now, workingTime: Self.workingTime))
        #expect(settled.target.policy == "urgent-complaint")
        #expect(settled.nextTimerAt == Self.at("2026-12-04T10:00:04Z"), "the new target's warning instant, already passed")
        let owed = try #require(clock.owedByTimer(at: now, workingTime: Self.workingTime))
        #expect(owed.entries == [ClockPlanner.Entry(.firstResponse, ClockEvent(at: Self.at("2026-12-04T10:00:05Z"), .warned))])

        // At the deadline both are owed, the warning first, stamped with the timer's own later instant.
        let late = Self.at("2026-12-04T10:00:07Z")
        #expect(try #require(clock.owedByTimer(at: late, workingTime: Self.workingTime)).entries
            == [ClockPlanner.Entry(.firstResponse, ClockEvent(at: late, .warned)), ClockPlanner.Entry(.firstResponse, ClockEvent(at: late, .breached))])
        // A clock never started owes nothing.
        #expect(ServiceClock(kind: .resolution, log: []).owedByTimer(at: late, workingTime: Self.workingTime) == nil)
    }
}
