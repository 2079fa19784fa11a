import Conversations
import Foundation
import Rules
import SwitchboardCore
import Testing

/// The service report's arithmetic over plain rows: percentiles by nearest rank, attainment of the counts
/// that are over, rates with their denominators, and flags against the standards' thresholds.
@Suite("Service report arithmetic")
struct ServiceReportTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(minute: Double) -> Date { start.addingTimeInterval(minute * 60) }
    static let hour = ClockTarget(policy: "standard", seconds: 3_600)
    static let day = ClockTarget(policy: "standard", seconds: 86_400)
    static func roundTheClock(_: String?) -> any WorkingTime { RoundTheClock() }

    /// A log from (minute, action) pairs.
    static func log(_ entries: [(Double, ClockEvent.Action)]) -> [ClockEvent] {
        entries.map { ClockEvent(at: at(minute: $0.0), $0.1) }
    }

    /// A first response answered after `minutes` (of a 60-minute target), breached when `breach`.
    static func answered(after minutes: Double, breach: Bool = false) -> [ClockEvent] {
        log([(0, .started(hour))] + (breach ? [(60, .breached)] : []) + [(minutes, .fulfilled)])
    }

    static func row(
        _ id: String, queue: String = "general", channel: ChannelKind = .webhook, events: Set<LifecycleEvent.Kind> = [],
        firstResponse: [ClockEvent] = [], resolution: [ClockEvent] = [], repeatContact: Bool = false
    ) -> ServiceReportRow {
        ServiceReportRow(
            conversationID: id, queue: queue, channel: channel, createdAt: at(minute: 0), events: events,
            clockLogs: [.firstResponse: firstResponse, .resolution: resolution].filter { !$0.value.isEmpty }, repeatContact: repeatContact)
    }

    @Test("nearest-rank percentiles: the value at rank ⌈p·n⌉ of the sorted values, never interpolated; none of nothing")
    func percentiles() {
        #expect(NearestRank.percentile(0.5, of: []) == nil)
        #expect(NearestRank.percentile(0.5, of: [42]) == 42)
        #expect(NearestRank.percentile(0.9, of: [42]) == 42)
        let ten = [10.0, 1, 9, 2, 8, 3, 7, 4, 6, 5]
        #expect(NearestRank.percentile(0.5, of: ten) == 5)
        #expect(NearestRank.percentile(0.9, of: ten) == 9)
        #expect(NearestRank.percentile(1.0, of: ten) == 10)
        // Rank ⌈0.5·4⌉ = 2 and ⌈0.9·4⌉ = 4: no average of the two middle values.
        #expect(NearestRank.percentile(0.5, of: [40, 10, 30, 20]) == 20)
        #expect(NearestRank.percentile(0.9, of: [40, 10, 30, 20]) == 40)
        #expect(NearestRank.percentile(0.9, of: [3, 1, 2]) == 3)
        #expect(NearestRank.percentile(0.5, of: [3, 1, 2]) == 2)
    }

    @Test("each count of a clock is judged on its own: met, missed (late or breach recorded), overdue, or pending and left out")
    func outcomes() {
        let now = Self.at(minute: 500)
        func outcomes(_ entries: [(Double, ClockEvent.Action)], atMinute minute: Double = 500) -> [ClockOutcome] {
            ClockOutcome.outcomes(of: .firstResponse, log: Self.log(entries), at: Self.at(minute: minute), workingTime: Self.roundTheClock)
        }
        #expect(outcomes([(0, .started(Self.hour)), (30, .fulfilled)]) == [.met(seconds: 1_800)])
        #expect(outcomes([(0, .started(Self.hour)), (90, .fulfilled)]) == [.missed(seconds: 5_400)])
        // The breach was recorded: missed, even if a looser target later made the answer look in time.
        #expect(outcomes([(0, .started(Self.hour)), (60, .breached), (61, .fulfilled)]) == [.missed(seconds: 3_660)])
        #expect(outcomes([(0, .started(Self.hour))]) == [.overdue])
        #expect(outcomes([(0, .started(Self.hour))], atMinute: 59) == [.pending])
        // Paused before its deadline, still pending; the waiting time is not counted.
        #expect(outcomes([(0, .started(Self.hour)), (10, .paused(reason: "waiting_on_customer"))]) == [.pending])
        #expect(outcomes([(0, .started(Self.hour)), (10, .paused(reason: "w")), (100, .resumed), (120, .fulfilled)]) == [.met(seconds: 1_800)])
        // A reopened conversation starts its resolution again: two counts, each with its own time.
        #expect(ClockOutcome.outcomes(
            of: .resolution,
            log: Self.log([(0, .started(Self.day)), (30, .fulfilled), (100, .started(Self.day)), (110, .fulfilled), (200, .started(Self.hour))]),
            at: now, workingTime: Self.roundTheClock) == [.met(seconds: 1_800), .met(seconds: 600), .overdue])
        #expect(outcomes([(5, .fulfilled)]).isEmpty)
    }

    @Test("times count working time on a business calendar: an answer the next morning took the evening's open hours only")
    func businessTime() {
        let desk = BusinessCalendar(
            id: "desk", timeZone: TimeZone(identifier: "UTC")!,
            hours: Dictionary(uniqueKeysWithValues: (1...7).map { ($0, [BusinessCalendar.Interval(start: 8 * 60, end: 20 * 60)]) }))
        let target = ClockTarget(policy: "complaint", seconds: 7_200, calendar: "desk")
        let evening = ISO8601DateFormatter().date(from: "2027-03-03T19:30:00Z")!
        let morning = ISO8601DateFormatter().date(from: "2027-03-04T09:00:00Z")!
        let outcomes = ClockOutcome.outcomes(
            of: .firstResponse, log: [ClockEvent(at: evening, .started(target)), ClockEvent(at: morning, .fulfilled)], at: morning,
            workingTime: { $0 == "desk" ? desk as any WorkingTime : RoundTheClock() })
        #expect(outcomes == [.met(seconds: 5_400)])
    }

    @Test("attainment is met over the counts that are over; the times are those of every fulfilled count")
    func attainment() {
        let clock = ClockAttainment([.met(seconds: 100), .missed(seconds: 900), .overdue, .pending, .met(seconds: 300), .pending])
        #expect(clock.fulfilled == 3 && clock.met == 2 && clock.counted == 4)
        #expect(clock.attainment == 0.5)
        #expect(clock.p50Seconds == 300 && clock.p90Seconds == 900)
        let waiting = ClockAttainment([.pending, .pending])
        #expect(waiting.attainment == nil && waiting.counted == 0 && waiting.p50Seconds == nil && waiting.p90Seconds == nil)
        let late = ClockAttainment([.overdue])
        #expect(late.attainment == 0 && late.p50Seconds == nil)
    }

    @Test("rates: escalation over conversations, reopen and first-contact resolution over conversations resolved at least once")
    func rates() {
        let rows = [
            Self.row("a", events: [.resolved]),
            Self.row("b", events: [.resolved, .reopened]),
            Self.row("c", events: [.resolved, .handedOff]),
            Self.row("d", events: [.escalated, .resolved]),
            Self.row("e", events: [.escalated, .handedOff]),
            Self.row("f"),
        ]
        let summary = ServiceSummary(queue: nil, conversations: rows, at: Self.at(minute: 10), workingTime: Self.roundTheClock)
        #expect(summary.conversations == 6)
        #expect(summary.escalated == 2 && summary.escalationRate == 2.0 / 6)
        #expect(summary.resolved == 4 && summary.reopened == 1 && summary.reopenRate == 0.25)
        // a and d: resolved with no reopen and no hand-off (an escalation does not spoil it).
        #expect(summary.resolvedAtFirstContact == 2 && summary.firstContactResolution == 0.5)
        #expect(summary.flags == [ServiceFlag(metric: .firstContactResolution, value: 0.5, threshold: 0.70)])
    }

    @Test("flags below 95% attainment and 70% first-contact resolution, not at the threshold itself; none when nothing was measured")
    func flags() {
        #expect(ServiceThresholds.slaAttainment == 0.95 && ServiceThresholds.firstContactResolution == 0.70)
        // 19 of 20 answered in time is exactly 95%: not flagged. 18 of 20 is.
        func answers(late: Int) -> [ServiceReportRow] {
            (0..<20).map { Self.row("c\($0)", firstResponse: Self.answered(after: $0 < late ? 90 : 20)) }
        }
        let now = Self.at(minute: 1_000)
        #expect(ServiceSummary(queue: nil, conversations: answers(late: 1), at: now, workingTime: Self.roundTheClock).flags.isEmpty)
        let flagged = ServiceSummary(queue: nil, conversations: answers(late: 2), at: now, workingTime: Self.roundTheClock)
        #expect(flagged.flags == [ServiceFlag(metric: .firstResponseAttainment, value: 0.9, threshold: 0.95)])

        // 7 of 10 resolved at first contact is 70%: not flagged.
        let fcr = (0..<10).map { Self.row("r\($0)", events: $0 < 3 ? [.resolved, .reopened] : [.resolved]) }
        #expect(ServiceSummary(queue: nil, conversations: fcr, at: now, workingTime: Self.roundTheClock).flags.isEmpty)

        let resolutionLate = [Self.row("x", resolution: Self.log([(0, .started(Self.hour)), (61, .fulfilled)]))]
        #expect(ServiceSummary(queue: nil, conversations: resolutionLate, at: now, workingTime: Self.roundTheClock).flags
            == [ServiceFlag(metric: .resolutionAttainment, value: 0, threshold: 0.95)])

        let empty = ServiceSummary(queue: nil, conversations: [], at: now, workingTime: Self.roundTheClock)
        #expect(empty.conversations == 0 && empty.flags.isEmpty)
        #expect(empty.escalationRate == nil && empty.reopenRate == nil && empty.firstContactResolution == nil)
        #expect(empty.firstResponse.attainment == nil && empty.resolution.attainment == nil)
        // Conversations whose clocks all still run: attainment and first-contact resolution have no denominator.
        let running = ServiceSummary(
            queue: nil, conversations: [Self.row("new", firstResponse: Self.log([(999, .started(Self.hour))]))], at: now,
            workingTime: Self.roundTheClock)
        #expect(running.flags.isEmpty && running.firstResponse.attainment == nil && running.firstContactResolution == nil)
        #expect(running.escalationRate == 0)
    }

    @Test("a report groups the cohort by current queue, in queue order, beside the overall figures")
    func grouping() {
        let rows = [
            Self.row("a", queue: "general", events: [.resolved], firstResponse: Self.answered(after: 10)),
            Self.row("b", queue: "escalations", events: [.escalated], firstResponse: Self.answered(after: 70, breach: true)),
            Self.row("c", queue: "general", firstResponse: Self.answered(after: 30)),
        ]
        let report = ServiceReport(
            rows: rows, from: Self.at(minute: 0), to: Self.at(minute: 60), at: Self.at(minute: 200), workingTime: Self.roundTheClock)
        #expect(report.queues.map(\.queue) == ["escalations", "general"])
        #expect(report.overall.queue == nil && report.overall.conversations == 3)
        #expect(report.overall.firstResponse.p50Seconds == 1_800 && report.overall.firstResponse.p90Seconds == 4_200)
        #expect(report.overall.firstResponse.attainment == 2.0 / 3)
        #expect(report.overall.flags.map(\.metric) == [.firstResponseAttainment])
        let general = report.queues[1]
        #expect(general.conversations == 2 && general.firstResponse.attainment == 1 && general.flags.isEmpty)
        #expect(general.firstResponse.p50Seconds == 600 && general.firstResponse.p90Seconds == 1_800)
        let escalations = report.queues[0]
        #expect(escalations.flags == [ServiceFlag(metric: .firstResponseAttainment, value: 0, threshold: 0.95)])
        #expect(escalations.escalationRate == 1 && escalations.firstContactResolution == nil)
    }

    static func survey(_ kind: SurveyKind, _ score: Int, queue: String = "general", channel: ChannelKind = .webhook) -> AnsweredSurvey {
        AnsweredSurvey(kind: kind, channel: channel, queue: queue, score: score)
    }

    @Test("CSAT is the share of CSAT answers scoring 4 or 5; NPS is % promoters (9-10) minus % detractors (0-6), passives in the denominator only")
    func surveyScores() {
        let csat = SurveyScores([1, 2, 3, 4, 5, 5, 4, 3].map { Self.survey(.csat, $0) })
        #expect(csat.csatResponses == 8 && csat.csatSatisfied == 4 && csat.csat == 0.5)
        #expect(csat.npsResponses == 0 && csat.nps == nil)
        // 4 promoters (9, 10, 10, 9), 2 passives (7, 8), 4 detractors (0, 3, 6, 6): (4 - 4) / 10 = 0.
        let balanced = SurveyScores([9, 10, 10, 9, 7, 8, 0, 3, 6, 6].map { Self.survey(.nps, $0) })
        #expect(balanced.npsResponses == 10 && balanced.promoters == 4 && balanced.detractors == 4 && balanced.nps == 0)
        #expect(balanced.csat == nil && balanced.csatResponses == 0)
        // 3 promoters, 1 passive (7, not a detractor), no detractor of 4: 75. All detractors: -100. All promoters: 100.
        #expect(SurveyScores([9, 10, 10, 7].map { Self.survey(.nps, $0) }).nps == 75)
        #expect(SurveyScores([0, 6].map { Self.survey(.nps, $0) }).nps == -100)
        #expect(SurveyScores([10].map { Self.survey(.nps, $0) }).nps == 100)
        // A score off its kind's scale is no answer: a CSAT 9 or 0, an NPS 11 or -1.
        let off = SurveyScores([Self.survey(.csat, 9), Self.survey(.csat, 0), Self.survey(.csat, 5), Self.survey(.nps, 11), Self.survey(.nps, -1)])
        #expect(off.csatResponses == 1 && off.csat == 1 && off.npsResponses == 0 && off.nps == nil)
        // Kinds do not mix: a CSAT 5 is not an NPS answer, an NPS 3 not a CSAT one.
        let mixed = SurveyScores([Self.survey(.csat, 5), Self.survey(.nps, 3)])
        #expect(mixed.csat == 1 && mixed.nps == -100 && mixed.csatResponses == 1 && mixed.npsResponses == 1)
    }

    @Test("CSAT below 80% is flagged, 80% itself is not, and no answers is no flag; repeat contacts are a share of the conversations")
    func satisfactionFlagsAndRepeats() {
        #expect(ServiceThresholds.csat == 0.80)
        let now = Self.at(minute: 100)
        func summary(_ surveys: [AnsweredSurvey], rows: [ServiceReportRow] = []) -> ServiceSummary {
            ServiceSummary(queue: nil, conversations: rows, surveys: surveys, at: now, workingTime: Self.roundTheClock)
        }
        // 4 of 5 satisfied: exactly 80%.
        #expect(summary([5, 4, 4, 5, 2].map { Self.survey(.csat, $0) }).flags.isEmpty)
        let low = summary([5, 4, 3, 5, 2].map { Self.survey(.csat, $0) })
        #expect(low.csat == 0.6 && low.flags == [ServiceFlag(metric: .csat, value: 0.6, threshold: 0.80)])
        // A low NPS is not a CSAT: reported, not flagged.
        let nps = summary([0, 1, 2].map { Self.survey(.nps, $0) })
        #expect(nps.nps == -100 && nps.csat == nil && nps.flags.isEmpty)

        let rows = [Self.row("a", repeatContact: true), Self.row("b"), Self.row("c"), Self.row("d", repeatContact: true)]
        let repeats = summary([], rows: rows)
        #expect(repeats.repeatContacts == 2 && repeats.repeatContactRate == 0.5)
        #expect(summary([]).repeatContactRate == nil && summary([]).csat == nil)
    }

    @Test("a report has a summary per queue and per channel: conversations by current queue and channel, surveys by their own queue and channel")
    func satisfactionGrouping() {
        let rows = [
            Self.row("a", queue: "general", channel: .email, events: [.resolved], repeatContact: true),
            Self.row("b", queue: "billing", channel: .sms, events: [.resolved]),
            Self.row("c", queue: "general", channel: .sms),
        ]
        let surveys = [
            Self.survey(.csat, 5, queue: "general", channel: .email), Self.survey(.csat, 2, queue: "general", channel: .sms),
            // A queue and a channel with answers but no conversation in the period still report.
            Self.survey(.csat, 4, queue: "complaints", channel: .webhook), Self.survey(.nps, 10, queue: "complaints", channel: .webhook),
            Self.survey(.nps, 5, queue: "billing", channel: .sms),
        ]
        let report = ServiceReport(
            rows: rows, surveys: surveys, from: Self.at(minute: 0), to: Self.at(minute: 60), at: Self.at(minute: 60),
            workingTime: Self.roundTheClock)
        #expect(report.overall.conversations == 3 && report.overall.surveys.csatResponses == 3 && report.overall.csat == 2.0 / 3)
        #expect(report.overall.nps == 0 && report.overall.repeatContactRate == 1.0 / 3)
        #expect(report.overall.flags == [ServiceFlag(metric: .csat, value: 2.0 / 3, threshold: 0.80)])

        #expect(report.queues.map(\.queue) == ["billing", "complaints", "general"])
        #expect(report.queues.allSatisfy { $0.channel == nil })
        let (billing, complaints, general) = (report.queues[0], report.queues[1], report.queues[2])
        #expect(billing.conversations == 1 && billing.csat == nil && billing.nps == -100 && billing.repeatContactRate == 0)
        #expect(complaints.conversations == 0 && complaints.csat == 1 && complaints.nps == 100 && complaints.repeatContactRate == nil)
        #expect(complaints.flags.isEmpty && complaints.escalationRate == nil)
        #expect(general.conversations == 2 && general.csat == 0.5 && general.repeatContactRate == 0.5)
        #expect(general.flags == [ServiceFlag(metric: .csat, value: 0.5, threshold: 0.80)])

        #expect(report.channels.map(\.channel) == [.email, .sms, .webhook])
        #expect(report.channels.allSatisfy { $0.queue == nil })
        let (email, sms, webhook) = (report.channels[0], report.channels[1], report.channels[2])
        #expect(email.conversations == 1 && email.csat == 1 && email.repeatContacts == 1 && email.firstContactResolution == 1)
        #expect(sms.conversations == 2 && sms.csat == 0 && sms.nps == -100 && sms.resolved == 1 && sms.repeatContactRate == 0)
        #expect(sms.flags == [ServiceFlag(metric: .csat, value: 0, threshold: 0.80)])
        #expect(webhook.conversations == 0 && webhook.csat == 1 && webhook.nps == 100)
    }

    @Test("a fulfilment's counted time is that of the count it ended; an entry that ended nothing has none")
    func fulfilledClock() {
        func counted(_ entries: [(Double, ClockEvent.Action)]) -> Double? {
            FulfilledClock(sequence: 1, conversationID: "c", queue: "general", kind: .resolution, log: Self.log(entries))
                .countedSeconds(workingTime: Self.roundTheClock)
        }
        #expect(counted([(0, .started(Self.day)), (30, .fulfilled)]) == 1_800)
        #expect(counted([(0, .started(Self.day)), (30, .fulfilled), (40, .started(Self.day)), (45, .fulfilled)]) == 300)
        #expect(counted([(0, .started(Self.day)), (5, .paused(reason: "w")), (65, .resumed), (70, .fulfilled)]) == 600)
        #expect(counted([(0, .started(Self.day)), (30, .fulfilled), (40, .fulfilled)]) == nil)
        #expect(counted([(0, .started(Self.day)), (30, .resumed)]) == nil)
    }
}
