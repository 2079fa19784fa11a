import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Mail
import NIOCore
import SwitchboardCore
import Testing

/// Satisfaction surveys end to end, on the shipped rules (`surveys.yaml`: CSAT one hour after the
/// resolution, a follow-up in `escalations` at 2 or below): asked by webhook (its `survey_url` answered by
/// the channel's system), by email through real Dovecot and SMTP (a signed one-click link, then the comment
/// form) and by SMS through a real Kannel (answered `五`). The gateway's clock is moved past the delay.
@Suite("Satisfaction surveys, end to end", .serialized)
struct SurveyEndToEndTests {
    /// The shipped rules route it to `complaints`, whose policy runs a `follow_up` clock (8 working hours).
    static let complaint = "你们客服态度太差了，我要投诉！"

    static func customer(_ client: any TestClientProtocol, _ sender: String, _ text: String) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["from": sender, "text": text])
        let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: String(decoding: body, as: UTF8.self))
        #expect(posted.status == .accepted)
        return try posted.decode(WebhookAcceptance.self).conversationID
    }

    static func answerAndResolve(_ client: any TestClientProtocol, _ id: String, survey: String? = nil) async throws {
        let sent = try await client.send(.post, "/v1/outbox", json: #"{"conversation_id":"\#(id)","text":"已为您补发，快递单号 SF1234。"}"#, token: GatewayHarness.agentToken)
        #expect(sent.status == .created, "reply: \(sent.status)")
        let extra = survey.map { #", "survey": \#($0)"# } ?? ""
        let resolved = try await client.send(
            .post, "/v1/conversations/\(id)/resolve", json: #"{"resolution":"reshipped"\#(extra)}"#, token: GatewayHarness.agentToken)
        #expect(resolved.status == .ok, "resolve: \(String(buffer: resolved.body))")
    }

    static func page(_ client: any TestClientProtocol, _ id: String) async throws -> ConversationPage {
        try await client.send(.get, "/v1/conversations/\(id)", token: GatewayHarness.opsToken).decode(ConversationPage.self)
    }

    static func json(_ data: Data) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    @Test("webhook: the reply carries survey_url; the channel's system posts a 2; a follow-up opens in escalations with its clock, csat.received is sent; the first answer counts; \"survey\": false sends none")
    func webhook() async throws {
        let receiver = ReplyReceiver()
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let time = ManualTime(ManualTime.workingMorning)
        var harness = try GatewayHarness(
            replyURL: receiver.url, environment: ["TEST_NOTIFY_URL": receiver.url, "TEST_NOTIFY_SECRET": GatewayHarness.replySecret],
            extraSections: """
                notifications:
                  targets:
                    - id: supervisors
                      url: { env: TEST_NOTIFY_URL }
                      secret: { env: TEST_NOTIFY_SECRET }
                      events: [csat.received]
                      quiet_hours: none
                """)
        harness.timerClock = { time.value }
        try await harness.run { (client, parts) async throws in
            let id = try await Self.customer(client, "wei@example.com", Self.complaint)
            let quiet = try await Self.customer(client, "lin@example.com", Self.complaint)
            try await Self.answerAndResolve(client, id)
            try await Self.answerAndResolve(client, quiet, survey: "false")
            #expect(try await Self.page(client, id).events.contains { $0.kind == "survey_scheduled" })
            #expect(try await Self.page(client, quiet).outbox.allSatisfy { $0.script != "satisfaction-survey" })
            let survey = try #require(try await Self.page(client, id).outbox.first { $0.script == "satisfaction-survey" })
            #expect(survey.status == "queued" && survey.automatic)
            // Not before the delay: an hour after the resolution.
            try await Task.sleep(for: .milliseconds(300))
            #expect(!receiver.received.contains { Self.json($0.body)["script"] as? String == "satisfaction-survey" })
            time.value = ManualTime.workingMorning.addingTimeInterval(3_601)
            #expect(try await eventually { receiver.received.contains { Self.json($0.body)["script"] as? String == "satisfaction-survey" } })
            let question = try #require(receiver.received.map { Self.json($0.body) }.first { $0["script"] as? String == "satisfaction-survey" })
            let url = try #require(question["survey_url"] as? String)
            let path = try #require(URL(string: url)?.path)
            #expect(path.hasPrefix("/v1/surveys/") && url.hasPrefix("http://127.0.0.1:"))

            // A forged or altered token is no survey; an out-of-scale score is refused; a 2 is recorded.
            #expect(try await client.send(.post, path + "x", json: #"{"score":2}"#).status == .notFound)
            #expect(try await client.send(.post, path, json: #"{"score":9}"#).status == .unprocessableContent)
            let answered = try await client.send(.post, path, json: #"{"score":2,"comment":"快递还是没到"}"#)
            #expect(answered.status == .created, "\(String(buffer: answered.body))")
            #expect(try await client.send(.post, path, json: #"{"score":5}"#).status == .conflict)

            let events = try await Self.page(client, id).events
            let recorded = try #require(events.first { $0.kind == "survey_answered" })
            #expect(recorded.detail["score"] == "2" && recorded.detail["via"] == "api" && recorded.detail["comment"] == "快递还是没到")
            let followUpID = try #require(recorded.detail["follow_up_conversation_id"])
            let followUp = try await Self.page(client, followUpID)
            #expect(followUp.conversation.queue == "escalations" && followUp.conversation.slaPolicy == "follow-up")
            #expect(try await parts.store.conversation(id: followUpID)?.previousConversationID == id)
            let due = try #require(followUp.clocks.first { $0.kind == "first_response" }?.dueAt)
            #expect(abs(due.timeIntervalSince(time.value) - 86_400) < 2)
            // The follow-up is the escalation queue's work now: the surveyed conversation's clock has its answer.
            #expect(try await Self.page(client, id).clocks.first { $0.kind == "follow_up" }?.fulfilledAt != nil)
            #expect(try await eventually { receiver.received.contains { Self.json($0.body)["type"] as? String == "csat.received" } })
            let notice = try #require(receiver.received.first { Self.json($0.body)["type"] as? String == "csat.received" })
            let data = try #require(Self.json(notice.body)["data"] as? [String: Any])
            #expect(data["score"] as? Int == 2 && data["follow_up_conversation_id"] as? String == followUpID)
            #expect(!String(decoding: notice.body, as: UTF8.self).contains("快递还是没到"))
            let metrics = String(buffer: try await client.send(.get, "/metrics").body)
            #expect(metrics.contains(#"switchboard_survey_answers_total{kind="csat",via="api"} 1"#))

            // The conversation resolved without a survey: its follow-up (8 working hours: due Thursday 10:00)
            // warns at 17:24 and opens a task for its owner in its queue, due when the follow-up is.
            let followUpDue = try #require(try await Self.page(client, quiet).clocks.first { $0.kind == "follow_up" }?.dueAt)
            #expect(followUpDue == ManualTime.workingMorning.addingTimeInterval(86_400))
            time.value = ManualTime.workingMorning.addingTimeInterval(7.5 * 3_600)
            #expect(try await eventually { try await Self.page(client, quiet).events.contains { $0.kind == "follow_up_created" } })
            let created = try #require(try await Self.page(client, quiet).events.first { $0.kind == "follow_up_created" })
            let task = try await Self.page(client, try #require(created.detail["follow_up_conversation_id"]))
            #expect(task.conversation.queue == "complaints" && task.conversation.owner == "alice" && task.conversation.state == "assigned", "\(task.conversation)")
            #expect(task.clocks.first { $0.kind == "first_response" }?.dueAt == followUpDue)
            #expect(try await Self.page(client, quiet).clocks.first { $0.kind == "follow_up" }?.fulfilledAt != nil)
        }
    }

    @Test("email through Dovecot and SMTP: the survey mail's signed link records a 4 in the customer's language, the comment form takes one comment, a second click shows it recorded")
    func email() async throws {
        let servers = try await TestMailServers.start()
        defer { servers.stop() }
        let time = ManualTime(ManualTime.workingMorning)
        var harness = try EmailTests.harness(servers)
        harness.timerClock = { time.value }
        try await harness.run { client, parts in
            let mail = try EmailTests.customerMail(
                from: "zhou@localhost", subject: "订单没收到", messageID: "survey-1@mail.example.cn", text: "我的订单三天了还没发货，订单号 A123。")
            let pushed = try await client.execute(
                uri: "/v1/inbound/mime/mail", method: .post, headers: [.contentType: "message/rfc822"], body: ByteBuffer(bytes: mail))
            #expect(pushed.status == .accepted)
            let id = try pushed.decode(MailAcceptance.self).conversationID
            try await Self.answerAndResolve(client, id)
            #expect(try await eventually { try await servers.mailbox("zhou").count == 2 })
            time.value = ManualTime.workingMorning.addingTimeInterval(3_601)
            #expect(try await eventually { try await servers.mailbox("zhou").count == 3 })
            let survey = MIMEParser().parse(try #require(try await servers.mailbox("zhou").last))
            #expect(survey.header("Auto-Submitted") == "auto-replied")
            let text = try #require(survey.text)
            #expect(text.contains("满意程度"))
            let links = text.split(whereSeparator: \.isWhitespace).compactMap { word in
                word.range(of: "http://").map { String(word[$0.lowerBound...]) }
            }
            #expect(links.count == 5)
            let four = try #require(links.first { $0.hasSuffix("/4") })
            let path = try #require(URL(string: four)?.path)

            // A link scanner's HEAD records nothing.
            #expect(try await client.execute(uri: path, method: .head, headers: [:], body: nil).status == .ok)
            #expect(try await parts.store.openSurvey(channel: .email, source: "mail", customerAddress: "zhou@localhost", at: time.value)?.score == nil)

            let clicked = try await client.execute(uri: path, method: .get, headers: [:], body: nil)
            #expect(clicked.status == .ok)
            #expect(clicked.headers[.contentType]?.hasPrefix("text/html") == true && clicked.headers[.cacheControl] == "no-store")
            let page = String(buffer: clicked.body)
            #expect(page.contains("4") && page.contains("lang=\"zh"))
            // The form carries its proof; posted with it, the comment is kept; a forged proof is refused.
            let proof = try #require(page.range(of: #"name="proof" value=""#).map { range in
                String(page[range.upperBound...].prefix { $0 != "\"" })
            })
            let action = path.replacingOccurrences(of: "/4", with: "/comment")
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let forged = try await client.execute(uri: action, method: .post, headers: form, body: ByteBuffer(string: "comment=hi&proof=AAAA"))
            #expect(forged.status == .forbidden)
            let comment = "comment=%E5%BF%AB%E9%80%92%E5%91%98%E5%BE%88%E5%AE%A2%E6%B0%94&proof=\(proof)"
            #expect(try await client.execute(uri: action, method: .post, headers: form, body: ByteBuffer(string: comment)).status == .ok)
            let again = try await client.execute(uri: path.replacingOccurrences(of: "/4", with: "/1"), method: .get, headers: [:], body: nil)
            #expect(again.status == .ok)
            let answered = try #require(try await parts.store.openSurvey(channel: .email, source: "mail", customerAddress: "zhou@localhost", at: time.value))
            #expect(answered.score == 4 && answered.comment == "快递员很客气" && answered.answeredVia == "link" && answered.followUpConversationID == nil)
        }
    }

    @Test("SMS through Kannel: the survey goes out as a short SMS; the customer answers 五 — recorded as 5, no message, no acknowledgement; other text is a message")
    func sms() async throws {
        let time = ManualTime(ManualTime.workingMorning)
        try await KannelTests.withKannel(time: time) { client, parts, smsOperator, _ in
            try await smsOperator.sendMO(from: "13800138000", to: KannelTests.shortCode, text: Self.complaint)
            #expect(try await eventually { try await KannelTests.inboundMessages(parts).count == 1 })
            let id: String = try #require(try await KannelTests.inboundMessages(parts).first?["conversation_id"])
            try await Self.answerAndResolve(client, id)
            // Everything before the survey delivered (acknowledgement, reply), so what comes next is the survey.
            #expect(try await eventually {
                try await Self.page(client, id).outbox.allSatisfy { $0.status == "delivered" || $0.script == "satisfaction-survey" }
            })
            try await smsOperator.waitForWholeMessages()
            let before = smsOperator.received.count
            time.value = ManualTime.workingMorning.addingTimeInterval(3_601)
            let question = try #require(try await Self.page(client, id).outbox.first { $0.script == "satisfaction-survey" })
            #expect(try await eventually { try await parts.store.outboxEntry(id: question.id)?.status == .delivered })
            try await smsOperator.waitForWholeMessages()
            let surveyParts = smsOperator.received.dropFirst(before).sorted { ($0.concatenation?.number ?? 0) < ($1.concatenation?.number ?? 0) }
            #expect(surveyParts.map(\.text).joined().contains("回复1到5"))

            let sent = smsOperator.received.count
            try await smsOperator.sendMO(from: "13800138000", to: KannelTests.shortCode, text: "五")
            #expect(try await eventually { try await Self.page(client, id).events.contains { $0.kind == "survey_answered" } })
            let answered = try #require(try await Self.page(client, id).events.first { $0.kind == "survey_answered" })
            #expect(answered.detail["score"] == "5" && answered.detail["via"] == "sms")
            // Not a message of any conversation, and nothing sent back.
            #expect(try await KannelTests.inboundMessages(parts).count == 1)
            #expect(try await Self.page(client, id).conversation.state == "resolved")
            try await Task.sleep(for: .milliseconds(500))
            #expect(smsOperator.received.count == sent)
            // A satisfied customer needs no follow-up.
            #expect(try await Self.page(client, id).clocks.first { $0.kind == "follow_up" }?.fulfilledAt != nil)

            // Anything else is an ordinary message, which reopens the conversation.
            try await smsOperator.sendMO(from: "13800138000", to: KannelTests.shortCode, text: "还有一个问题，发票怎么开？")
            #expect(try await eventually { try await KannelTests.inboundMessages(parts).count == 2 })
            #expect(try await Self.page(client, id).conversation.state != "resolved")
        }
    }
}
