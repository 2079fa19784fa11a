import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `GET /v1/reports/service` and the service-time histograms over real HTTP, against the shipped rules, on
/// a timer clock the test moves (the report judges clocks at that clock's time, as the timers do).
@Suite("Service report, end to end")
struct ServiceReportEndToEndTests {
    static let sueToken = "sue-supervisor-token-for-report"
    static let samToken = "sam-escalations-supervisor-token"
    static let alice = GatewayHarness.agentToken

    static func harness(time: ManualTime) throws -> GatewayHarness {
        var harness = try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused", maxBodyBytes: 8192,
            environment: ["TEST_SUE": sueToken, "TEST_SAM": samToken],
            extraTokens: """
                  - { id: sue, name: Sue, role: supervisor, token: { env: TEST_SUE } }
                  - { id: sam, name: Sam, role: supervisor, queues: [escalations], token: { env: TEST_SAM } }
                """)
        harness.deliverReplies = false
        harness.timerClock = { time.value }
        return harness
    }

    /// The report as the API answers it.
    struct Report: Decodable {
        struct Clock: Decodable {
            var p50Seconds: Double?
            var p90Seconds: Double?
            var attainment: Double?
            var met: Int
            var counted: Int
            var fulfilled: Int

            enum CodingKeys: String, CodingKey {
                case p50Seconds = "p50_seconds", p90Seconds = "p90_seconds", attainment, met, counted, fulfilled
            }
        }
        struct Flag: Decodable, Equatable, CustomStringConvertible {
            var metric: String
            var value: Double
            var threshold: Double
            var description: String { "\(metric) \(value) < \(threshold)" }
        }
        struct Summary: Decodable {
            var queue: String?
            var channel: String?
            var conversations: Int
            var firstResponse: Clock
            var resolution: Clock
            var escalationRate: Double?
            var reopenRate: Double?
            var firstContactResolution: Double?
            var repeatContactRate: Double?
            var csat: Double?
            var csatResponses: Int
            var nps: Double?
            var npsResponses: Int
            var flags: [Flag]

            enum CodingKeys: String, CodingKey {
                case queue, channel, conversations, flags, firstResponse = "first_response", resolution, escalationRate = "escalation_rate"
                case reopenRate = "reopen_rate", firstContactResolution = "first_contact_resolution", repeatContactRate = "repeat_contact_rate"
                case csat, csatResponses = "csat_responses", nps, npsResponses = "nps_responses"
            }
        }
        var from: Date
        var to: Date
        var overall: Summary
        var queues: [Summary]
        var channels: [Summary]
    }

    /// An answered survey of `conversation`, written straight to the gateway's database: the report only
    /// reads the surveys table, whoever answered.
    static func answeredSurvey(_ path: String, _ id: String, conversation: String, queue: String, kind: String, score: Int, at: Date) throws {
        try testDatabase(path).write { db in
            try db.execute(
                sql: """
                    INSERT INTO surveys (id, conversation_id, kind, channel, source, customer_address, queue, language, status, created_at,
                        send_at, expires_at, score, answered_at, answered_via)
                    VALUES (?, ?, ?, 'webhook', 'demo', 'a@example.com', ?, 'zh', 'answered', ?, ?, ?, ?, ?, 'api')
                    """,
                arguments: [
                    id, conversation, kind, queue, at.timeIntervalSince1970 - 600, at.timeIntervalSince1970 - 600,
                    at.timeIntervalSince1970 + 86_400, score, at.timeIntervalSince1970,
                ])
        }
    }

    static func customer(_ client: any TestClientProtocol, _ sender: String, _ text: String) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["from": sender, "text": text])
        let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: String(decoding: body, as: UTF8.self))
        #expect(posted.status == .accepted)
        return try posted.decode(WebhookAcceptance.self).conversationID
    }

    static func reply(_ client: any TestClientProtocol, _ id: String) async throws {
        let sent = try await client.send(.post, "/v1/outbox", json: #"{"conversation_id":"\#(id)","text":"我们正在处理。"}"#, token: alice)
        #expect(sent.status == .accepted || sent.status == .created, "reply: \(sent.status)")
    }

    static func act(_ client: any TestClientProtocol, _ id: String, _ action: String, _ json: String? = nil) async throws {
        let done = try await client.send(.post, "/v1/conversations/\(id)/\(action)", json: json, token: alice)
        #expect(done.status == .ok, "\(action): \(done.status) \(String(buffer: done.body))")
    }

    static func page(_ client: any TestClientProtocol, _ id: String) async throws -> ConversationPage {
        try await client.send(.get, "/v1/conversations/\(id)", token: GatewayHarness.opsToken).decode(ConversationPage.self)
    }

    @Test("answered, reopened and escalated-then-breached conversations and answered surveys give the report's times, rates, satisfaction and flags, per queue, per channel and overall; agents get 403, bad periods 400")
    func report() async throws {
        let time = ManualTime(ManualTime.workingMorning)
        try await Self.harness(time: time).run { (client, parts) async throws in
            // a: answered and resolved at first contact.
            let a = try await Self.customer(client, "a@example.com", "我的订单三天了还没发货，订单号 A123")
            let queue = try await Self.page(client, a).conversation.queue
            try await Self.reply(client, a)
            try await Self.act(client, a, "resolve", #"{"resolution":"shipped"}"#)
            // b: answered, resolved, reopened by the customer, resolved again.
            let b = try await Self.customer(client, "b@example.com", "我的订单三天了还没发货，订单号 B456")
            try await Self.reply(client, b)
            try await Self.act(client, b, "resolve", #"{"resolution":"shipped"}"#)
            #expect(try await Self.customer(client, "b@example.com", "还是没收到") == b)
            try await Self.act(client, b, "resolve", #"{"resolution":"delivered"}"#)
            // c: escalated to a crisis (15 minutes to answer); time passes its deadline, the timer records the
            // breach, and only then is it answered.
            let c = try await Self.customer(client, "c@example.com", "我的订单三天了还没发货，订单号 C789")
            try await Self.act(client, c, "escalate", #"{"level":1,"reason":"warehouse fire"}"#)
            let due = try #require(try await Self.page(client, c).clocks.first { $0.kind == "first_response" }?.dueAt)
            time.value = due.addingTimeInterval(60)
            #expect(try await eventually {
                try await Self.page(client, c).events.contains { $0.kind == "sla_breached" && $0.detail["clock"] == "first_response" }
            })
            try await Self.reply(client, c)
            // a's customer answered CSAT 5 and 2 and NPS 10 (the gateway does not send surveys yet).
            let answered = time.value.addingTimeInterval(-60)
            for (number, (kind, score)) in [("csat", 5), ("csat", 2), ("nps", 10)].enumerated() {
                try Self.answeredSurvey(parts.sqlitePath, "svy-\(number)", conversation: a, queue: queue, kind: kind, score: score, at: answered)
            }

            let answer = try await client.send(.get, "/v1/reports/service", token: Self.sueToken)
            #expect(answer.status == .ok)
            let report = try answer.decode(Report.self)
            // The default period: the 7 days up to the report's clock.
            #expect(abs(report.to.timeIntervalSince(time.value)) < 1 && abs(report.to.timeIntervalSince(report.from) - 7 * 86_400) < 1)
            let overall = report.overall
            #expect(overall.conversations == 3)
            // a and b answered in seconds, c a minute past its 15-minute deadline (its time counted to the breach).
            #expect(overall.firstResponse.met == 2 && overall.firstResponse.counted == 3 && overall.firstResponse.fulfilled == 3)
            #expect(try #require(overall.firstResponse.p50Seconds) < 60)
            #expect((900..<1_000).contains(try #require(overall.firstResponse.p90Seconds)))
            // a once, b twice, all in time; c's resolution still runs and is left out.
            #expect(overall.resolution.met == 3 && overall.resolution.counted == 3 && overall.resolution.attainment == 1)
            #expect(overall.escalationRate == 1.0 / 3 && overall.reopenRate == 0.5 && overall.firstContactResolution == 0.5)
            #expect(overall.csat == 0.5 && overall.csatResponses == 2 && overall.nps == 100 && overall.npsResponses == 1)
            #expect(overall.repeatContactRate == 0)
            #expect(overall.flags == [
                Report.Flag(metric: "first_response_attainment", value: 2.0 / 3, threshold: 0.95),
                Report.Flag(metric: "first_contact_resolution", value: 0.5, threshold: 0.7),
                Report.Flag(metric: "csat", value: 0.5, threshold: 0.8),
            ])
            #expect(report.queues.map(\.queue) == ["escalations", queue].sorted())
            let mine = try #require(report.queues.first { $0.queue == queue })
            #expect(mine.conversations == 2 && mine.firstResponse.attainment == 1 && mine.escalationRate == 0)
            #expect(mine.flags.map(\.metric) == ["first_contact_resolution", "csat"] && mine.csat == 0.5)
            let escalations = try #require(report.queues.first { $0.queue == "escalations" })
            #expect(escalations.conversations == 1 && escalations.firstResponse.attainment == 0 && escalations.escalationRate == 1)
            // Nothing resolved there: no rate, no flag for it.
            #expect(escalations.resolution.attainment == nil && escalations.firstContactResolution == nil && escalations.reopenRate == nil)
            #expect(escalations.flags.map(\.metric) == ["first_response_attainment"])
            #expect(escalations.csat == nil && escalations.csatResponses == 0 && escalations.nps == nil)
            // Every conversation came on the webhook channel.
            #expect(report.channels.map(\.channel) == ["webhook"] && report.channels.allSatisfy { $0.queue == nil })
            #expect(report.channels[0].conversations == 3 && report.channels[0].csat == 0.5 && report.channels[0].nps == 100)
            // Null, not absent, when a denominator is 0.
            let raw = String(buffer: answer.body)
            #expect(raw.contains(#""first_contact_resolution":null"#) && raw.contains(#""generated_at":"#))
            #expect(raw.contains(#""csat":null"#) && raw.contains(#""csat":0.8"#))

            // One queue; a period with nothing in it; ops may read it too.
            let one = try await client.send(.get, "/v1/reports/service?queue=\(queue)", token: GatewayHarness.opsToken).decode(Report.self)
            #expect(one.overall.conversations == 2 && one.queues.map(\.queue) == [queue])
            let empty = try await client.send(
                .get, "/v1/reports/service?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00%2B08:00", token: Self.sueToken).decode(Report.self)
            #expect(empty.overall.conversations == 0 && empty.overall.flags.isEmpty && empty.queues.isEmpty)
            #expect(empty.overall.firstResponse.attainment == nil && empty.overall.escalationRate == nil)
            #expect(empty.overall.csat == nil && empty.overall.nps == nil && empty.overall.repeatContactRate == nil && empty.channels.isEmpty)

            // A supervisor limited to the escalations queue sees only that queue.
            let scoped = try await client.send(.get, "/v1/reports/service", token: Self.samToken).decode(Report.self)
            #expect(scoped.overall.conversations == 1 && scoped.queues.map(\.queue) == ["escalations"])
            #expect(scoped.overall.csat == nil && scoped.overall.csatResponses == 0 && scoped.channels.map(\.conversations) == [1])
            #expect(try await client.send(.get, "/v1/reports/service?queue=\(queue)", token: Self.samToken).status == .notFound)

            // Agents may not read reports; bad periods are 400s naming the parameter.
            #expect(try await client.send(.get, "/v1/reports/service", token: Self.alice).status == .forbidden)
            #expect(try await client.send(.get, "/v1/reports/service").status == .unauthorized)
            for (query, named) in [
                ("from=yesterday", "'from'"), ("to=soon", "'to'"), ("from=2026-01-01", "'from'"),
                ("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "'from'"), ("from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "'from'"),
                ("from=2024-01-01T00:00:00Z&to=2025-01-02T00:00:01Z", "366 days"), ("queue=", "'queue'"),
            ] {
                let refused = try await client.send(.get, "/v1/reports/service?\(query)", token: Self.sueToken)
                #expect(refused.status == .badRequest, "\(query)")
                let message = try refused.decode(ErrorAnswer.self).error.message
                #expect(message.contains(named), "\(query): \(message)")
            }
            // A year with a leap day is not too long.
            #expect(try await client.send(
                .get, "/v1/reports/service?from=2024-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", token: Self.sueToken).status == .ok)
        }
    }

    @Test("the service-level gauges follow the rolling week by queue and by channel; a queue and a channel that leave it read NaN, not their last figure")
    func gaugesLeaveTheWindow() async throws {
        let time = ManualTime(ManualTime.workingMorning)
        var harness = try Self.harness(time: time)
        harness.serviceLevelInterval = .milliseconds(200)
        try await harness.run { (client, _) async throws in
            let id = try await Self.customer(client, "w@example.com", "我的订单三天了还没发货，订单号 W1")
            let queue = try await Self.page(client, id).conversation.queue
            try await Self.reply(client, id)
            try await Self.act(client, id, "resolve", #"{"resolution":"shipped"}"#)
            // The window ends at the clock's time, excluded: the conversation counts once the clock is past its creation.
            time.value = time.value.addingTimeInterval(60)
            @Sendable func metrics() async throws -> String { String(buffer: try await client.send(.get, "/metrics").body) }
            #expect(try await eventually {
                let text = try await metrics()
                return text.contains(#"switchboard_first_contact_resolution_ratio{queue="\#(queue)"} 1"#)
                    && text.contains(#"switchboard_channel_first_contact_resolution_ratio{channel="webhook"} 1"#)
            })
            // Eight days on, the conversation is out of the window: its queue and its channel have no figure.
            time.value = time.value.addingTimeInterval(8 * 86_400)
            #expect(try await eventually {
                let text = try await metrics()
                return text.contains(#"switchboard_first_contact_resolution_ratio{queue="\#(queue)"} nan"#)
                    && text.contains(#"switchboard_channel_first_contact_resolution_ratio{channel="webhook"} nan"#)
                    && text.contains(#"switchboard_first_contact_resolution_ratio{queue="all"} nan"#)
            })
        }
    }

    @Test("/metrics shows the first-response and resolution histograms by queue once clocks are fulfilled, with buckets from a minute to a week")
    func histograms() async throws {
        let time = ManualTime(ManualTime.workingMorning)
        try await Self.harness(time: time).run { (client, _) async throws in
            let id = try await Self.customer(client, "m@example.com", "我的订单三天了还没发货，订单号 M1")
            let queue = try await Self.page(client, id).conversation.queue
            try await Self.reply(client, id)
            try await Self.act(client, id, "resolve", #"{"resolution":"shipped"}"#)
            @Sendable func metrics() async throws -> String { String(buffer: try await client.send(.get, "/metrics").body) }
            // The service reads the clock logs every few seconds.
            #expect(try await eventually(within: 20) {
                let text = try await metrics()
                return text.contains(#"switchboard_first_response_seconds_count{queue="\#(queue)"} 1"#)
                    && text.contains(#"switchboard_resolution_seconds_count{queue="\#(queue)"} 1"#)
            })
            let text = try await metrics()
            #expect(text.contains(#"switchboard_first_response_seconds_bucket{queue="\#(queue)",le="60.0"} 1"#))
            #expect(text.contains(#"switchboard_resolution_seconds_bucket{queue="\#(queue)",le="604800.0"} 1"#))
        }
    }
}
