import Conversations
import Foundation
import SwitchboardCore
import Testing

/// The pure rules of closing the loop: who may decide a held reply, and what a survey answer sets going.
@Suite("Approval and survey answer rules")
struct ClosingTheLoopRulesTests {
    static let now = Date(timeIntervalSince1970: 1_795_572_000)

    static func held(author: String = "ana", status: OutboxStatus = .awaitingApproval, expiresIn: Double = 3_600) -> OutboxEntry {
        OutboxEntry(
            id: "out_1", conversationID: "conv_1", channel: .webhook, source: "demo", recipient: "c@example.com", script: nil,
            body: "我们将补偿您¥800", status: status, attempts: 0, nextAttemptAt: nil, lastError: nil, automatic: false, author: author,
            createdAt: now, updatedAt: now,
            approval: ApprovalHold(amount: "CNY 800.00", reason: .aboveThreshold, expiresAt: now.addingTimeInterval(expiresIn), contentSHA256: "abc123"))
    }

    @Test("four eyes, expiry and the content hash decide a held reply")
    func approvals() {
        #expect(ApprovalRules.decide(.approve, on: Self.held(), by: "sue", expectedSHA256: nil, at: Self.now) == .apply(.queued))
        #expect(ApprovalRules.decide(.reject, on: Self.held(), by: "sue", expectedSHA256: "ABC123", at: Self.now) == .apply(.rejected))
        #expect(ApprovalRules.decide(.approve, on: Self.held(), by: "ana", expectedSHA256: nil, at: Self.now) == .selfApproval)
        // The author is refused even once the entry is decided: the answer must not depend on timing.
        #expect(ApprovalRules.decide(.approve, on: Self.held(status: .queued), by: "ana", expectedSHA256: nil, at: Self.now) == .selfApproval)
        #expect(ApprovalRules.decide(.approve, on: Self.held(status: .rejected), by: "sue", expectedSHA256: nil, at: Self.now) == .refused(current: .rejected))
        #expect(ApprovalRules.decide(.approve, on: Self.held(expiresIn: 0), by: "sue", expectedSHA256: nil, at: Self.now) == .expire)
        #expect(ApprovalRules.decide(.approve, on: Self.held(), by: "sue", expectedSHA256: "def456", at: Self.now) == .contentChanged)
    }

    static func survey(_ kind: SurveyKind = .csat, status: SurveyStatus = .scheduled) -> Survey {
        Survey(
            id: "srv_1", conversationID: "conv_1", kind: kind, channel: .sms, source: "kannel", customerAddress: "+8613800000000",
            queue: "general", language: "zh", outboxID: "out_2", status: status, createdAt: now, sendAt: now, expiresAt: now.addingTimeInterval(7 * 86_400))
    }

    static func answer(_ score: Int, at offset: Double = 60, line: Int? = 2) -> SurveyAnswer {
        SurveyAnswer(
            surveyID: "srv_1", score: score, via: "sms", at: now.addingTimeInterval(offset),
            followUp: line.map { FollowUpPlacement(queue: "escalations", slaPolicy: "follow-up", priority: 2, dueAt: nil, atOrBelow: $0) })
    }

    @Test("an answer is recorded once, inside the window and the scale; a low one opens a follow-up, a satisfied one settles the clock")
    func answers() {
        #expect(SurveyAnswerRules.decide(Self.answer(2), on: Self.survey()) == .record(opensFollowUp: true, settlesFollowUpClock: true))
        #expect(SurveyAnswerRules.decide(Self.answer(3), on: Self.survey()) == .record(opensFollowUp: false, settlesFollowUpClock: false))
        #expect(SurveyAnswerRules.decide(Self.answer(4), on: Self.survey()) == .record(opensFollowUp: false, settlesFollowUpClock: true))
        // Without follow-up rules a low score is still recorded, and nothing follows it up.
        #expect(SurveyAnswerRules.decide(Self.answer(1, line: nil), on: Self.survey()) == .record(opensFollowUp: false, settlesFollowUpClock: false))
        #expect(SurveyAnswerRules.decide(Self.answer(6), on: Self.survey()) == .outOfScale)
        #expect(SurveyAnswerRules.decide(Self.answer(0), on: Self.survey()) == .outOfScale)
        #expect(SurveyAnswerRules.decide(Self.answer(0, line: 6), on: Self.survey(.nps)) == .record(opensFollowUp: true, settlesFollowUpClock: true))
        #expect(SurveyAnswerRules.decide(Self.answer(9, line: 6), on: Self.survey(.nps)) == .record(opensFollowUp: false, settlesFollowUpClock: true))
        #expect(SurveyAnswerRules.decide(Self.answer(5, at: 7 * 86_400), on: Self.survey()) == .closed)
        #expect(SurveyAnswerRules.decide(Self.answer(5), on: Self.survey(status: .cancelled)) == .closed)
        #expect(SurveyAnswerRules.decide(Self.answer(5), on: Self.survey(status: .answered)) == .alreadyAnswered)
    }

    @Test("the follow-up clock opens a task only for a resolved conversation without a satisfied answer")
    func followUpTask() {
        #expect(SurveyAnswerRules.opensFollowUpTask(state: .resolved, answers: []))
        #expect(SurveyAnswerRules.opensFollowUpTask(state: .resolved, answers: [(.csat, 3)]))
        #expect(!SurveyAnswerRules.opensFollowUpTask(state: .resolved, answers: [(.csat, 4)]))
        #expect(!SurveyAnswerRules.opensFollowUpTask(state: .resolved, answers: [(.nps, 10)]))
        #expect(!SurveyAnswerRules.opensFollowUpTask(state: .closed, answers: []))
    }
}
