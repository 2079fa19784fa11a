import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Signing
import SQLiteStorage
import SwitchboardCore
import TestSupport
import Testing

/// Survey answers over HTTP against the shipped rules: the email's one-click link with its comment
/// form, and the webhook channel's `POST /v1/surveys/{token}`.
///
/// Replies are not delivered here, so the survey is found by the `survey_scheduled` event its
/// resolution wrote; its link is signed with the store's key, as the scheduled email's links are.
@Suite("Survey answers by link and API, end to end")
struct SurveyAnswerRoutesTests {
    static let sueToken = "sue-supervisor-token-for-tests"
    static let customer = "wang@example.com"

    static func harness(_ time: ManualTime) throws -> GatewayHarness {
        var harness = try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused", maxBodyBytes: 65536,
            environment: ["TEST_SUE": sueToken],
            extraTokens: """
                  - { id: sue, name: Sue, role: supervisor, token: { env: TEST_SUE } }
                """)
        harness.deliverReplies = false
        harness.timerClock = { time.value }
        return harness
    }

    /// A Chinese customer's conversation, resolved; the clock moved past `survey.delay`. Returns the
    /// survey and a link token for it.
    static func resolvedSurvey(
        _ client: any TestClientProtocol, _ store: any GatewayStore, _ time: ManualTime, text: String = "我的订单三天了还没发货，订单号 A123"
    ) async throws -> (survey: Survey, token: String) {
        let body = try JSONSerialization.data(withJSONObject: ["from": customer, "text": text])
        let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: String(decoding: body, as: UTF8.self))
        let id = try posted.decode(WebhookAcceptance.self).conversationID
        let resolved = try await client.send(.post, "/v1/conversations/\(id)/resolve", json: #"{"resolution":"shipped with tracking SF123"}"#, token: sueToken)
        #expect(resolved.status == .ok)
        time.value = time.value.addingTimeInterval(2 * 3600)
        let page = try await client.send(.get, "/v1/conversations/\(id)", token: GatewayHarness.opsToken).decode(ConversationPage.self)
        let scheduled = try #require(page.events.first { $0.kind == "survey_scheduled" }?.detail["survey_id"])
        let survey = try #require(try await store.survey(id: scheduled))
        let token = SurveyToken.make(surveyID: survey.id, expiresAt: survey.expiresAt, key: try await store.surveyLinkKey())
        return (survey, token)
    }

    static func expectPageHeaders(_ response: TestResponse) {
        #expect(response.headers[.contentType] == "text/html; charset=utf-8")
        #expect(response.headers[.cacheControl] == "no-store")
        #expect(response.headers[.xContentTypeOptions] == "nosniff")
        #expect(response.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'") == true)
        #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
    }

    static func proof(in page: String) -> String? {
        guard let start = page.range(of: "name=\"proof\" value=\"") else { return nil }
        return String(page[start.upperBound...].prefix { $0 != "\"" })
    }

    @Test("HEAD records nothing; GET records the score in the survey's language with a comment form; a second click shows the first answer")
    func link() async throws {
        let time = ManualTime(ManualTime.workingMorning)
        try await Self.harness(time).run { (client, parts) async throws in
            let (survey, token) = try await Self.resolvedSurvey(client, parts.store, time)
            #expect(survey.language == "zh" && survey.kind == .csat)

            let head = try await client.execute(uri: "/s/\(token)/5", method: .head, headers: [:], body: nil)
            #expect(head.status == .ok)
            Self.expectPageHeaders(head)
            #expect(try await parts.store.survey(id: survey.id)?.score == nil)

            let first = try await client.execute(uri: "/s/\(token)/5", method: .get, headers: [:], body: nil)
            #expect(first.status == .ok)
            Self.expectPageHeaders(first)
            let page = String(buffer: first.body)
            #expect(page.contains("您的评分：5 分（1–5 分）已记录。"))
            #expect(page.contains("action=\"/s/\(token)/comment\""))
            #expect(Self.proof(in: page) == SurveyToken.commentProof(token: token, key: try await parts.store.surveyLinkKey()))
            let recorded = try #require(try await parts.store.survey(id: survey.id))
            #expect(recorded.score == 5 && recorded.answeredVia == "link" && recorded.status == .answered && recorded.followUpConversationID == nil)

            let second = try await client.execute(uri: "/s/\(token)/1", method: .get, headers: [:], body: nil)
            #expect(second.status == .ok)
            #expect(String(buffer: second.body).contains("已记录的评分：5 分。"))
            #expect(try await parts.store.survey(id: survey.id)?.score == 5)
        }
    }

    @Test("the comment form: saved once with the right proof; a wrong proof 403, a bad comment 400, a second comment 409")
    func comment() async throws {
        let time = ManualTime(ManualTime.workingMorning)
        try await Self.harness(time).run { (client, parts) async throws in
            let (survey, token) = try await Self.resolvedSurvey(client, parts.store, time)
            let page = String(buffer: try await client.execute(uri: "/s/\(token)/2", method: .get, headers: [:], body: nil).body)
            let proof = try #require(Self.proof(in: page))

            let forged = try await client.postForm("/s/\(token)/comment", [("comment", "hello"), ("proof", "AAAA")])
            #expect(forged.status == .forbidden)
            Self.expectPageHeaders(forged)
            let noProof = try await client.postForm("/s/\(token)/comment", [("comment", "hello")])
            #expect(noProof.status == .forbidden)
            let tooLong = try await client.postForm("/s/\(token)/comment", [("comment", String(repeating: "慢", count: 2001)), ("proof", proof)])
            #expect(tooLong.status == .badRequest)
            let control = try await client.postForm("/s/\(token)/comment", [("comment", "bad\u{1B}[2J"), ("proof", proof)])
            #expect(control.status == .badRequest)
            #expect(try await parts.store.survey(id: survey.id)?.comment == nil)

            let saved = try await client.postForm("/s/\(token)/comment", [("comment", "  快递太慢了\r\n但客服很好 <b>  "), ("proof", proof)])
            #expect(saved.status == .ok)
            #expect(String(buffer: saved.body).contains("感谢您的留言"))
            #expect(try await parts.store.survey(id: survey.id)?.comment == "快递太慢了\r\n但客服很好 <b>")
            let again = try await client.postForm("/s/\(token)/comment", [("comment", "again"), ("proof", proof)])
            #expect(again.status == .conflict)
        }
    }

    @Test("a link that is not ours is 404 in both languages; a score outside the scale 404 and unrecorded; after the window 410")
    func refusedLinks() async throws {
        let time = ManualTime(ManualTime.workingMorning)
        try await Self.harness(time).run { (client, parts) async throws in
            let (survey, token) = try await Self.resolvedSurvey(client, parts.store, time)
            let forged = SurveyToken.make(surveyID: survey.id, expiresAt: survey.expiresAt, key: Array("not the store's key, not at all!".utf8))
            for bad in [forged, "nonsense", String(token.dropLast())] {
                let answer = try await client.execute(uri: "/s/\(bad)/5", method: .get, headers: [:], body: nil)
                #expect(answer.status == .notFound)
                Self.expectPageHeaders(answer)
                #expect(String(buffer: answer.body).contains("链接无效") && String(buffer: answer.body).contains("Link not valid"))
            }
            for score in ["6", "0", "x", "%EF%BC%95"] {  // the last is a full-width 5, as a browser sends it
                #expect(try await client.execute(uri: "/s/\(token)/\(score)", method: .get, headers: [:], body: nil).status == .notFound)
            }
            #expect(try await parts.store.survey(id: survey.id)?.score == nil)

            time.value = survey.expiresAt.addingTimeInterval(1)
            let late = try await client.execute(uri: "/s/\(token)/4", method: .get, headers: [:], body: nil)
            #expect(late.status == .gone)
            #expect(String(buffer: late.body).contains("调查已结束"))
            #expect(try await parts.store.survey(id: survey.id)?.score == nil)
        }
    }

    @Test("POST /v1/surveys/{token}: 201 with a low score's follow-up in escalations, 200 on a retry, 409 for another score, 422, 404, 410")
    func api() async throws {
        let time = ManualTime(ManualTime.workingMorning)
        try await Self.harness(time).run { (client, parts) async throws in
            let (survey, token) = try await Self.resolvedSurvey(client, parts.store, time)
            #expect(try await client.send(.post, "/v1/surveys/\(token)", json: #"{"score": 6}"#).status == .unprocessableContent)
            #expect(try await client.send(.post, "/v1/surveys/nonsense", json: #"{"score": 1}"#).status == .notFound)

            let created = try await client.send(.post, "/v1/surveys/\(token)", json: #"{"score": 1, "comment": "nobody called back"}"#)
            #expect(created.status == .created)
            let answered = try #require(try await parts.store.survey(id: survey.id))
            #expect(answered.score == 1 && answered.comment == "nobody called back" && answered.answeredVia == "api")
            let followUpID = try #require(answered.followUpConversationID)
            let followUp = try await client.send(.get, "/v1/conversations/\(followUpID)", token: GatewayHarness.opsToken).decode(ConversationPage.self)
            #expect(followUp.conversation.queue == "escalations" && followUp.conversation.slaPolicy == "follow-up")

            #expect(try await client.send(.post, "/v1/surveys/\(token)", json: #"{"score": 1}"#).status == .ok)
            let conflict = try await client.send(.post, "/v1/surveys/\(token)", json: #"{"score": 5}"#)
            #expect(conflict.status == .conflict)
            #expect(String(buffer: conflict.body).contains("already_answered"))

            time.value = survey.expiresAt.addingTimeInterval(1)
            let closed = try await client.send(.post, "/v1/surveys/\(token)", json: #"{"score": 1}"#)
            #expect(closed.status == .gone)
            #expect(String(buffer: closed.body).contains("survey_closed"))
        }
    }
}
