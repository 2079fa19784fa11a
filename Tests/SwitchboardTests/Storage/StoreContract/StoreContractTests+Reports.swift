import Conversations
import Foundation
import Logging
import Metrics
import Pipeline
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// What the service report and the service-time histograms read: the cohort of a period with its
    /// events and clock logs as agents' actions, customers' messages and the timers wrote them, and clock
    /// fulfilments in the order logged.
    @Suite("Service reports")
    struct Reports {
        typealias R = ContractRequests
        typealias L = StoreContractTests.Lifecycle

        static let bo = L.bo
        static func roundTheClock(_ calendar: String?) -> any WorkingTime { ContractClockRules().workingTime(calendar: calendar) }

        /// A customer's message on the `demo` source (or another), joining their open conversation or starting one in `general`.
        static func message(_ store: any MessageStore, _ sender: String, minute: Double, source: String = "demo") async throws -> String {
            try await store.ingest(R.request(
                R.inbound(sender, minute: minute, source: source, externalID: "\(sender)-\(minute)"), route: R.route("general", priority: 3)))
                .conversationID
        }

        static func perform(_ lifecycle: any LifecycleStore, _ id: String, _ action: LifecycleAction, by actor: LifecycleActor = L.ana, minute: Double) async throws {
            let result = try await lifecycle.perform(L.command(id, action, by: actor, reason: "r", minute: minute))
            #expect(result.conversation != nil, "\(action.kind) at minute \(minute) was not applied: \(result)")
        }

        @Test("a period's conversations, with what happened to them, give the report's figures per current queue and overall", arguments: StoreFactory.all)
        func cohort(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle, timers) = (subject.store, subject.lifecycle, subject.timers)
                // Outside the period [0, 60): before it, and at its end.
                _ = try await Self.message(store, "before@example.com", minute: -1)
                // a: claimed, resolved at 30. First response and resolution met in 30 minutes; resolved at first contact.
                let a = try await Self.message(store, "a@example.com", minute: 0)
                try await Self.perform(lifecycle, a, .claim, minute: 1)
                // b: never answered; its first response breaches at 61 (the timer escalates it), then it is resolved at 80.
                let b = try await Self.message(store, "b@example.com", minute: 1)
                // c: resolved at 12, the customer writes again at 20 (reopened), resolved again at 50.
                let c = try await Self.message(store, "c@example.com", minute: 2)
                try await Self.perform(lifecycle, c, .claim, minute: 3)
                // d: waits on the customer 10 to 30 (not counted), handed to billing at 35, resolved there at 40 by bo.
                let d = try await Self.message(store, "d@example.com", minute: 3)
                try await Self.perform(lifecycle, d, .claim, minute: 4)
                // e: nothing done; breached at 64 and escalated by the timer.
                let e = try await Self.message(store, "e@example.com", minute: 4)
                // Another source's conversation, outside a token limited to demo.
                _ = try await Self.message(store, "s@example.com", minute: 5, source: "shop")
                try await Self.perform(lifecycle, d, .wait(until: nil), minute: 10)
                try await Self.perform(lifecycle, c, .resolve, minute: 12)
                #expect(try await Self.message(store, "c@example.com", minute: 20) == c)
                try await Self.perform(lifecycle, a, .resolve, minute: 30)
                #expect(try await Self.message(store, "d@example.com", minute: 30) == d)
                try await Self.perform(lifecycle, d, .handoff(.queue("billing")), minute: 35)
                try await Self.perform(lifecycle, d, .claim, by: Self.bo, minute: 36)
                try await Self.perform(lifecycle, d, .resolve, by: Self.bo, minute: 40)
                try await Self.perform(lifecycle, c, .resolve, minute: 50)
                // p: new at 55, its first response due at 115: still pending when the report is made at 90.
                let p = try await Self.message(store, "p@example.com", minute: 55)
                _ = try await Self.message(store, "after@example.com", minute: 60)
                _ = try await timers.fireDueClockTimers(now: R.at(minute: 70), limit: 50)
                try await Self.perform(lifecycle, b, .resolve, minute: 80)

                let rows = try await subject.reports.serviceReportRows(from: R.at(minute: 0), to: R.at(minute: 60), queue: nil, sources: ["demo"])
                #expect(rows.map(\.conversationID) == [a, b, c, d, e, p])
                #expect(rows.map(\.queue) == ["general", "escalations", "general", "billing", "escalations", "general"])
                #expect(rows[2].events == [.resolved, .reopened] && rows[3].events == [.resolved, .handedOff])
                #expect(rows[1].events == [.escalated, .resolved] && rows[5].events == [])
                #expect(rows.allSatisfy { Set($0.clockLogs.keys).isSubset(of: [.firstResponse, .resolution]) })

                let report = ServiceReport(rows: rows, from: R.at(minute: 0), to: R.at(minute: 60), at: R.at(minute: 90), workingTime: Self.roundTheClock)
                let overall = report.overall
                #expect(overall.conversations == 6)
                // First responses: a 30 min, b 79 min (breached), c 10 min, d 17 min (7 + 10, the wait left out); e overdue, p pending.
                #expect(overall.firstResponse.fulfilled == 4 && overall.firstResponse.met == 3 && overall.firstResponse.counted == 5)
                #expect(overall.firstResponse.p50Seconds == 1_020 && overall.firstResponse.p90Seconds == 4_740)
                #expect(overall.firstResponse.attainment == 0.6)
                // Resolutions: a 30, b 79, c 10 and 30 (two counts), d 17; e and p still running.
                #expect(overall.resolution.fulfilled == 5 && overall.resolution.met == 5 && overall.resolution.counted == 5)
                #expect(overall.resolution.p50Seconds == 1_800 && overall.resolution.p90Seconds == 4_740)
                #expect(overall.escalated == 2 && overall.resolved == 4 && overall.reopened == 1 && overall.resolvedAtFirstContact == 2)
                #expect(overall.escalationRate == 2.0 / 6 && overall.reopenRate == 0.25 && overall.firstContactResolution == 0.5)
                #expect(overall.flags == [
                    ServiceFlag(metric: .firstResponseAttainment, value: 0.6, threshold: 0.95),
                    ServiceFlag(metric: .firstContactResolution, value: 0.5, threshold: 0.70),
                ])

                #expect(report.queues.map(\.queue) == ["billing", "escalations", "general"])
                let (billing, escalations, general) = (report.queues[0], report.queues[1], report.queues[2])
                #expect(billing.conversations == 1 && billing.firstResponse.p50Seconds == 1_020 && billing.firstContactResolution == 0)
                #expect(billing.flags.map(\.metric) == [.firstContactResolution])
                #expect(escalations.conversations == 2 && escalations.firstResponse.attainment == 0 && escalations.escalationRate == 1)
                #expect(escalations.resolution.attainment == 1 && escalations.firstContactResolution == 1 && escalations.reopenRate == 0)
                #expect(escalations.flags.map(\.metric) == [.firstResponseAttainment])
                #expect(general.conversations == 3 && general.firstResponse.attainment == 1 && general.firstResponse.counted == 2)
                #expect(general.firstResponse.p50Seconds == 600 && general.firstResponse.p90Seconds == 1_800)
                #expect(general.reopenRate == 0.5 && general.firstContactResolution == 0.5 && general.escalationRate == 0)
                #expect(general.flags.map(\.metric) == [.firstContactResolution])

                // Every source; one queue; a period with nothing in it.
                #expect(try await subject.reports.serviceReportRows(from: R.at(minute: 0), to: R.at(minute: 60), queue: nil, sources: nil).count == 7)
                #expect(try await subject.reports.serviceReportRows(from: R.at(minute: 0), to: R.at(minute: 60), queue: "general", sources: ["demo"])
                    .map(\.conversationID) == [a, c, p])
                #expect(try await subject.reports.serviceReportRows(from: R.at(minute: 100), to: R.at(minute: 200), queue: nil, sources: nil).isEmpty)
            }
        }

        /// A conversation's customer writing again after it was closed: a new conversation.
        static func again(_ subject: StoreUnderTest, closing id: String, _ sender: String, minute: Double, channel: ChannelKind = .webhook, source: String = "demo") async throws -> String {
            try await subject.setState(id, .closed)
            let next = try await subject.store.ingest(R.request(
                R.inbound(sender, minute: minute, channel: channel, source: source, externalID: "\(sender)-\(minute)"), route: R.route("general", priority: 3)))
            #expect(next.newConversation && next.conversationID != id)
            return next.conversationID
        }

        @Test("a repeat contact is another conversation of the same customer (channel, source, address in any case) within 7 days of one in the period; a follow-up is not", arguments: StoreFactory.all)
        func repeatContacts(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let week = 7.0 * 24 * 60
                // a comes back the next day, writing its address in capitals.
                let a = try await Self.message(store, "a@example.com", minute: 0)
                // b comes back a minute after the 7 days; e exactly at the end of them.
                let b = try await Self.message(store, "b@example.com", minute: 1)
                let e = try await Self.message(store, "e@example.com", minute: 2)
                // c writes on another source, and by SMS from the same address: other customers as far as repeats go.
                let c = try await Self.message(store, "c@example.com", minute: 3)
                let cShop = try await Self.message(store, "c@example.com", minute: 4, source: "shop")
                let cSMS = try await store.ingest(R.request(
                    R.inbound("c@example.com", minute: 5, channel: .sms, externalID: "c-sms"), route: R.route("general", priority: 3))).conversationID
                // d's next conversation is taken for a follow-up the gateway opened: its timeline gets the
                // follow_up_opened event the survey store starts a follow-up's timeline with. Not the customer coming back.
                let d = try await Self.message(store, "d@example.com", minute: 6)
                // n had no other conversation.
                let n = try await Self.message(store, "n@example.com", minute: 7)
                let a2 = try await Self.again(subject, closing: a, "A@Example.COM", minute: 1_440)
                let b2 = try await Self.again(subject, closing: b, "b@example.com", minute: 1 + week + 1)
                let e2 = try await Self.again(subject, closing: e, "e@example.com", minute: 2 + week)
                let d2 = try await Self.again(subject, closing: d, "d@example.com", minute: 30)
                try await subject.insertEvent(d2, "follow_up_opened", R.at(minute: 30))
                #expect(![a2, b2, e2, d2].contains(c) && cShop != cSMS)

                let rows = try await subject.reports.serviceReportRows(from: R.at(minute: 0), to: R.at(minute: 60), queue: nil, sources: nil)
                #expect(rows.map(\.conversationID) == [a, b, e, c, cShop, cSMS, d, n, d2])
                #expect(rows.map(\.repeatContact) == [true, false, true, false, false, false, false, false, false])
                #expect(rows.map(\.channel) == [.webhook, .webhook, .webhook, .webhook, .webhook, .sms, .webhook, .webhook, .webhook])
                let report = ServiceReport(rows: rows, from: R.at(minute: 0), to: R.at(minute: 60), at: R.at(minute: 2 * week), workingTime: Self.roundTheClock)
                #expect(report.overall.repeatContacts == 2 && report.overall.repeatContactRate == 2.0 / 9)
                #expect(report.channels.map(\.channel) == [.sms, .webhook])
                #expect(report.channels[0].repeatContactRate == 0 && report.channels[1].repeatContactRate == 2.0 / 8)
                // The later conversation need not be in the period, nor in the caller's scope beyond the source.
                let demo = try await subject.reports.serviceReportRows(from: R.at(minute: 0), to: R.at(minute: 3), queue: nil, sources: ["demo"])
                #expect(demo.map(\.repeatContact) == [true, false, true])
            }
        }

        @Test("surveys count by when they were answered, with their own channel and queue; unanswered ones do not count; a queue or sources limit them", arguments: StoreFactory.all)
        func answeredSurveys(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let a = try await Self.message(subject.store, "a@example.com", minute: 0)
                var number = 0
                func survey(
                    _ kind: SurveyKind, _ score: Int?, answeredAt minute: Double?, queue: String = "general", channel: ChannelKind = .webhook,
                    source: String = "demo"
                ) async throws {
                    number += 1
                    try await subject.insertSurvey(Survey(
                        id: "svy-\(number)", conversationID: a, kind: kind, channel: channel, source: source, customerAddress: "a@example.com",
                        queue: queue, language: "zh", outboxID: nil, status: minute == nil ? .scheduled : .answered, createdAt: R.at(minute: -100),
                        sendAt: R.at(minute: -90), expiresAt: R.at(minute: 10_000), score: score, answeredAt: minute.map { R.at(minute: $0) },
                        answeredVia: minute == nil ? nil : "api"))
                }
                // In the period [0, 60): CSAT 5, 4, 2 in general (webhook); 3 in billing by SMS; NPS 10, 9, 7, 6, 0.
                try await survey(.csat, 5, answeredAt: 0)
                try await survey(.csat, 4, answeredAt: 10)
                try await survey(.csat, 2, answeredAt: 59)
                try await survey(.csat, 3, answeredAt: 30, queue: "billing", channel: .sms)
                for (score, minute) in [(10, 1.0), (9, 2), (7, 3), (6, 4), (0, 5)] {
                    try await survey(.nps, score, answeredAt: minute, queue: "billing", channel: .email)
                }
                // Outside it: before, at its end; never answered (sent before it); another source's.
                try await survey(.csat, 1, answeredAt: -1)
                try await survey(.csat, 1, answeredAt: 60)
                try await survey(.csat, nil, answeredAt: nil)
                try await survey(.csat, 1, answeredAt: 20, source: "shop")

                let found = try await subject.reports.answeredSurveys(from: R.at(minute: 0), to: R.at(minute: 60), queue: nil, sources: ["demo"])
                #expect(found.count == 9)
                #expect(found.filter { $0.kind == .csat }.map(\.score) == [5, 4, 3, 2])
                #expect(found.filter { $0.kind == .nps }.map(\.score) == [10, 9, 7, 6, 0])
                #expect(found.first { $0.score == 3 } == AnsweredSurvey(kind: .csat, channel: .sms, queue: "billing", score: 3))
                #expect(try await subject.reports.answeredSurveys(from: R.at(minute: 0), to: R.at(minute: 60), queue: nil, sources: nil).count == 10)
                #expect(try await subject.reports.answeredSurveys(from: R.at(minute: 0), to: R.at(minute: 60), queue: "general", sources: ["demo"])
                    .map(\.score) == [5, 4, 2])
                #expect(try await subject.reports.answeredSurveys(from: R.at(minute: 100), to: R.at(minute: 200), queue: nil, sources: nil).isEmpty)

                let rows = try await subject.reports.serviceReportRows(from: R.at(minute: 0), to: R.at(minute: 60), queue: nil, sources: ["demo"])
                let report = ServiceReport(
                    rows: rows, surveys: found, from: R.at(minute: 0), to: R.at(minute: 60), at: R.at(minute: 30), workingTime: Self.roundTheClock)
                // CSAT 2 of 4 satisfied; NPS (2 promoters - 2 detractors) / 5 = 0. (a's first response, judged at
                // minute 30, is still pending: no other flag.)
                #expect(report.overall.csat == 0.5 && report.overall.surveys.csatResponses == 4)
                #expect(report.overall.nps == 0 && report.overall.surveys.npsResponses == 5)
                #expect(report.overall.flags.map(\.metric) == [.csat])
                #expect(report.queues.map(\.queue) == ["billing", "general"])
                #expect(report.queues[0].csat == 0 && report.queues[0].nps == 0 && report.queues[0].conversations == 0)
                #expect(report.queues[1].csat == 2.0 / 3 && report.queues[1].nps == nil && report.queues[1].conversations == 1)
                #expect(report.channels.map(\.channel) == [.email, .sms, .webhook])
                #expect(report.channels[0].nps == 0 && report.channels[0].csat == nil && report.channels[1].csat == 0)
                #expect(report.channels[2].csat == 2.0 / 3 && report.channels[2].conversations == 1)
            }
        }

        @Test("fulfilments come in the order logged, each with its clock's log up to it and the conversation's queue; reading on from a position skips none and repeats none", arguments: StoreFactory.all)
        func fulfilments(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let (store, lifecycle, feed) = (subject.store, subject.lifecycle, subject.reports)
                #expect(try await feed.latestClockLogSequence() == 0)
                let id = try await Self.message(store, "f@example.com", minute: 0)
                try await Self.perform(lifecycle, id, .claim, minute: 1)
                try await Self.perform(lifecycle, id, .resolve, minute: 10)
                #expect(try await Self.message(store, "f@example.com", minute: 20) == id)
                let before = try await feed.latestClockLogSequence()
                #expect(before > 0)
                try await Self.perform(lifecycle, id, .handoff(.queue("billing")), minute: 25)
                try await Self.perform(lifecycle, id, .resolve, minute: 50)

                let all = try await feed.fulfilledClocks(after: 0, kinds: [.firstResponse, .resolution], limit: 10)
                #expect(all.map(\.kind) == [.firstResponse, .resolution, .resolution])
                #expect(all.map(\.sequence) == all.map(\.sequence).sorted() && Set(all.map(\.sequence)).count == 3)
                #expect(all.map(\.queue) == ["billing", "billing", "billing"])
                #expect(all.map { $0.countedSeconds(workingTime: Self.roundTheClock) } == [600, 600, 1_800])
                #expect(all[2].log.map(\.action.name) == ["started", "fulfilled", "started", "fulfilled"])

                #expect(try await feed.fulfilledClocks(after: 0, kinds: [.firstResponse, .resolution], limit: 1).map(\.kind) == [.firstResponse])
                #expect(try await feed.fulfilledClocks(after: 0, kinds: [.followUp], limit: 10).map(\.kind) == [.followUp])
                let later = try await feed.fulfilledClocks(after: before, kinds: [.firstResponse, .resolution], limit: 10)
                #expect(later.map(\.sequence) == [all[2].sequence])
                #expect(try await feed.fulfilledClocks(after: all[2].sequence, kinds: [.firstResponse, .resolution], limit: 10).isEmpty)
            }
        }

        @Test("the metrics service starts after what is logged: a restart observes nothing again, and each new fulfilment once")
        func metricsService() async throws {
            try await StoreFactory.run(.sqlite) { subject in
                let (store, lifecycle) = (subject.store, subject.lifecycle)
                let old = try await Self.message(store, "old@example.com", minute: 0)
                try await Self.perform(lifecycle, old, .resolve, minute: 5)
                func service() -> ServiceMetricsService {
                    ServiceMetricsService(
                        store: subject.reports, clockRules: ContractClockRules(), logger: Logger(label: "test"),
                        metricsFactory: NOOPMetricsHandler.instance)
                }
                let first = service()
                #expect(try await first.tick() == 0)
                #expect(try await first.tick() == 0)
                let new = try await Self.message(store, "new@example.com", minute: 10)
                try await Self.perform(lifecycle, new, .resolve, minute: 20)
                #expect(try await first.tick() == 2)
                #expect(try await first.tick() == 0)

                // A restarted process begins after the newest entry: what the first one observed is not observed again.
                let restarted = service()
                try await restarted.start()
                #expect(try await restarted.tick() == 0)
                #expect(try await Self.message(store, "new@example.com", minute: 30) == new)
                try await Self.perform(lifecycle, new, .resolve, minute: 40)
                #expect(try await restarted.tick() == 1)
            }
        }
    }
}
