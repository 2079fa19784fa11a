import Conversations
import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// Satisfaction surveys: scheduled with the resolution, at most one per customer per interval, withdrawn
    /// when the conversation reopens before the question goes out; the first answer counts, within the window;
    /// a low score opens a follow-up, a satisfied one settles the follow-up clock, and no answer at all
    /// leaves the follow-up clock to open a task when it comes due.
    @Suite("Satisfaction surveys")
    struct Surveys {
        typealias R = ContractRequests
        typealias L = StoreContractTests.Lifecycle

        static let ana = LifecycleActor(id: "ana", role: .agent)

        static func scheduled(_ id: String, minute: Double, kind: SurveyKind = .csat) -> ScheduledSurvey {
            ScheduledSurvey(
                id: id, kind: kind, message: PendingReply(script: "satisfaction-survey", body: "请回复 1-5", automatic: true),
                sendAt: R.at(minute: minute + 60), expiresAt: R.at(minute: minute + 60 + 7 * 1_440), minInterval: 7 * 86_400)
        }

        /// A conversation from `sender`, claimed and answered by ana, then resolved at `minute` with a survey.
        static func resolved(
            _ subject: StoreUnderTest, _ sender: String, minute: Double, survey: String, channel: ChannelKind = .sms
        ) async throws -> String {
            let id = try await subject.store.ingest(R.request(
                R.inbound(sender, minute: minute - 5, channel: channel, source: "kannel", externalID: "\(sender)-\(minute)"),
                route: R.route("general", priority: 3))).conversationID
            _ = try await subject.lifecycle.perform(L.command(id, .claim, by: ana, minute: minute - 4))
            _ = try await subject.store.enqueueReply(
                PendingReply(script: nil, body: "已处理", automatic: false), conversationID: id, author: "ana", idempotencyKey: nil,
                requestFingerprint: nil, at: R.at(minute: minute - 3))
            var command = L.command(id, .resolve, by: ana, reason: "fixed", minute: minute)
            command.survey = scheduled(survey, minute: minute)
            guard case .applied = try await subject.lifecycle.perform(command) else {
                Issue.record("the resolution was not applied")
                return id
            }
            return id
        }

        static let placement = FollowUpPlacement(queue: "escalations", slaPolicy: "crisis", priority: 2, dueAt: R.at(minute: 2_000), atOrBelow: 2)

        @Test("a resolution schedules its survey for later; a second within the interval is skipped; reopening withdraws one not yet sent", arguments: StoreFactory.all)
        func scheduling(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let id = try await Self.resolved(subject, "+8613800000001", minute: 10, survey: "srv_a")
                let survey = try #require(try await store.survey(id: "srv_a"))
                #expect(survey.status == .scheduled && survey.conversationID == id && survey.queue == "general" && survey.sendAt == R.at(minute: 70))
                let question = try #require(try await store.outbox(id).first { $0.id == survey.outboxID })
                #expect(question.status == .queued && question.automatic && question.nextAttemptAt == R.at(minute: 70))
                #expect(try await store.eventKinds(id).contains("survey_scheduled"))
                // Not due before its send time.
                #expect(try await store.claimDueOutbox(now: R.at(minute: 60), limit: 10).allSatisfy { $0.entry.id != question.id })

                // The same customer, after the first was closed, another conversation resolved a day later: within
                // 7 days of the first survey, no second one.
                _ = try await subject.lifecycle.perform(L.command(id, .close, by: Self.ana, minute: 1_400))
                let second = try await Self.resolved(subject, "+8613800000001", minute: 1_500, survey: "srv_b")
                #expect(try await store.survey(id: "srv_b") == nil)
                #expect(try await store.eventKinds(second).contains("survey_skipped"))
                #expect(second != id)
                #expect(try await store.outbox(second).allSatisfy { $0.script != "satisfaction-survey" })

                // Another customer reopens before the question goes out: it is withdrawn, never sent.
                let other = try await Self.resolved(subject, "+8613800000002", minute: 20, survey: "srv_c")
                _ = try await store.ingest(R.request(
                    R.inbound("+8613800000002", minute: 30, channel: .sms, source: "kannel", externalID: "again"), route: R.route("general", priority: 3)))
                #expect(try await store.conversation(id: other)?.state != .resolved)
                #expect(try await store.survey(id: "srv_c")?.status == .cancelled)
                let withdrawn = try #require(try await store.outbox(other).first { $0.script == "satisfaction-survey" })
                #expect(withdrawn.status == .cancelled)
                #expect(try await store.eventKinds(other).contains("survey_cancelled"))
            }
        }

        @Test("an answer counts once, within the window and the scale; only a question that went out can be answered by text", arguments: StoreFactory.all)
        func answers(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let id = try await Self.resolved(subject, "+8613800000003", minute: 10, survey: "srv_d")
                // Still queued: nothing to answer by SMS yet.
                #expect(try await store.openSurvey(channel: .sms, source: "kannel", customerAddress: "+8613800000003", at: R.at(minute: 71)) == nil)
                let claimed = try await store.claimDueOutbox(now: R.at(minute: 70), limit: 10)
                let question = try #require(claimed.first { $0.entry.script == "satisfaction-survey" })
                try await store.recordDelivery(outboxID: question.entry.id, outcome: .delivered(detail: nil, messageID: nil), now: R.at(minute: 70))
                #expect(try await store.openSurvey(channel: .sms, source: "kannel", customerAddress: "+8613800000003", at: R.at(minute: 71))?.id == "srv_d")
                #expect(try await store.openSurvey(channel: .sms, source: "other", customerAddress: "+8613800000003", at: R.at(minute: 71)) == nil)
                // After the window: closed to text answers and to links.
                let late = R.at(minute: 70 + 7 * 1_440 + 1)
                #expect(try await store.openSurvey(channel: .sms, source: "kannel", customerAddress: "+8613800000003", at: late) == nil)
                guard case .closed = try await store.recordSurveyAnswer(SurveyAnswer(surveyID: "srv_d", score: 5, via: "sms", at: late)) else {
                    Issue.record("a late answer was taken")
                    return
                }
                guard case .outOfScale = try await store.recordSurveyAnswer(SurveyAnswer(surveyID: "srv_d", score: 6, via: "sms", at: R.at(minute: 72))) else {
                    Issue.record("a 6 was taken on a 1-5 scale")
                    return
                }
                guard case let .recorded(answered) = try await store.recordSurveyAnswer(
                    SurveyAnswer(surveyID: "srv_d", score: 4, via: "sms", at: R.at(minute: 72), followUp: Self.placement)) else {
                    Issue.record("the answer was not recorded")
                    return
                }
                #expect(answered.score == 4 && answered.status == .answered && answered.followUpConversationID == nil)
                guard case let .alreadyAnswered(first) = try await store.recordSurveyAnswer(
                    SurveyAnswer(surveyID: "srv_d", score: 1, via: "link", at: R.at(minute: 73), followUp: Self.placement)) else {
                    Issue.record("a second answer was taken")
                    return
                }
                #expect(first.score == 4 && first.answeredVia == "sms")
                #expect(try await store.recordSurveyAnswer(SurveyAnswer(surveyID: "srv_none", score: 4, via: "sms", at: R.at(minute: 73))) == .notFound)
                // A satisfied answer settles the follow-up clock: no task will come of it.
                let followUp = try #require(try await store.clocks(conversationID: id, at: R.at(minute: 80)).first { $0.kind == .followUp })
                #expect(followUp.fulfilledAt == R.at(minute: 72))
                // The comment comes once, after the score.
                #expect(try await store.recordSurveyComment(surveyID: "srv_d", comment: "快递员很客气", at: R.at(minute: 74)))
                #expect(try await store.recordSurveyComment(surveyID: "srv_d", comment: "again", at: R.at(minute: 75)) == false)
                #expect(try await store.survey(id: "srv_d")?.comment == "快递员很客气")
                let events = try await store.events(id)
                #expect(events.contains { $0.kind == "survey_answered" && $0.detail["score"] == "4" && $0.detail["via"] == "sms" })
                #expect(events.contains { $0.kind == "survey_commented" && $0.detail["comment"] == "快递员很客气" })
            }
        }

        @Test("a low score opens a follow-up in the supervisors' queue, linked, with its clock, and tells the targets", arguments: StoreFactory.all)
        func lowScore(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let id = try await Self.resolved(subject, "+8613800000004", minute: 10, survey: "srv_e")
                guard case let .recorded(answered) = try await store.recordSurveyAnswer(
                    SurveyAnswer(surveyID: "srv_e", score: 2, comment: "没解决", via: "link", at: R.at(minute: 100), followUp: Self.placement)) else {
                    Issue.record("the answer was not recorded")
                    return
                }
                let followUpID = try #require(answered.followUpConversationID)
                let followUp = try #require(try await store.conversation(id: followUpID))
                #expect(followUp.queue == "escalations" && followUp.slaPolicy == "crisis" && followUp.state == .new && followUp.priority == 2)
                #expect(followUp.previousConversationID == id && followUp.customerAddress == "+8613800000004")
                let clock = try #require(try await store.clocks(conversationID: followUpID, at: R.at(minute: 100)).first { $0.kind == .firstResponse })
                #expect(clock.dueAt == R.at(minute: 115))
                #expect(try await store.eventKinds(followUpID).contains("follow_up_opened"))
                #expect(try await store.eventKinds(id).contains("follow_up_created"))
                // The surveyed conversation's follow-up is now the new conversation's work.
                #expect(try await store.clocks(conversationID: id, at: R.at(minute: 100)).first { $0.kind == .followUp }?.fulfilledAt == R.at(minute: 100))
                let notice = try #require(try await store.outbox(id).first { $0.channel == .notification && $0.script == "csat.received" })
                let data = try #require((try JSONSerialization.jsonObject(with: Data(notice.body.utf8)) as? [String: Any])?["data"] as? [String: Any])
                #expect(data["score"] as? Int == 2 && data["follow_up_conversation_id"] as? String == followUpID && data["survey_kind"] as? String == "csat")
                #expect(!notice.body.contains("+8613800000004") && !notice.body.contains("没解决"))

                // A middling score (3) opens nothing and leaves the clock running.
                let other = try await Self.resolved(subject, "+8613800000005", minute: 10, survey: "srv_f")
                guard case let .recorded(middling) = try await store.recordSurveyAnswer(
                    SurveyAnswer(surveyID: "srv_f", score: 3, via: "sms", at: R.at(minute: 100), followUp: Self.placement)) else {
                    Issue.record("the answer was not recorded")
                    return
                }
                #expect(middling.followUpConversationID == nil)
                #expect(try await store.clocks(conversationID: other, at: R.at(minute: 100)).first { $0.kind == .followUp }?.fulfilledAt == nil)
            }
        }

        @Test("with no satisfied answer, the follow-up clock coming due opens a task for the owner in the same queue", arguments: StoreFactory.all)
        func followUpTask(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let quiet = try await Self.resolved(subject, "+8613800000006", minute: 10, survey: "srv_g")
                let happy = try await Self.resolved(subject, "+8613800000007", minute: 10, survey: "srv_h")
                _ = try await store.recordSurveyAnswer(SurveyAnswer(surveyID: "srv_h", score: 5, via: "sms", at: R.at(minute: 100)))
                // standard's follow-up is 24 hours after the resolution.
                _ = try await subject.timers.fireDueClockTimers(now: R.at(minute: 10 + 1_440), limit: 50)
                let task = try #require(try await store.eventKinds(quiet).contains("follow_up_created") ? store.events(quiet).first { $0.kind == "follow_up_created" } : nil)
                let taskID = try #require(task.detail["follow_up_conversation_id"])
                let opened = try #require(try await store.conversation(id: taskID))
                #expect(opened.queue == "general" && opened.owner == "ana" && opened.state == .assigned && opened.previousConversationID == quiet)
                #expect(try await store.eventKinds(happy).contains("follow_up_created") == false)
            }
        }

        @Test("the link key is made once and kept", arguments: StoreFactory.all)
        func linkKey(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let key = try await subject.store.surveyLinkKey()
                #expect(key.count == 32 && Set(key).count > 1)
                #expect(try await subject.store.surveyLinkKey() == key)
            }
        }
    }
}
