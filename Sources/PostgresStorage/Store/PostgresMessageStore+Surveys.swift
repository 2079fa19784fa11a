import Conversations
import Foundation
import PostgresNIO
import StoreSupport
import SwitchboardCore

extension PostgresMessageStore {
    /// The survey with this id.
    public func survey(id: String) async throws -> Survey? {
        try await read { db in try await Self.survey(db, id: id) }
    }

    /// The survey a customer's message on this channel and source may be answering at `at`.
    public func openSurvey(channel: ChannelKind, source: String, customerAddress: String, at: Date) async throws -> Survey? {
        try await read { db in
            // Only a question that actually went out can be answered: one still queued, failed or cancelled
            // asked nothing, and a bare "5" from that customer is an ordinary message. An answered survey is
            // still found in its window, so a repeated or retried answer is taken as that answer again.
            let at = at.timeIntervalSince1970
            return try await db.first("""
                SELECT s.* FROM surveys s JOIN outbox o ON o.id = s.outbox_id
                WHERE s.channel = \(channel.rawValue) AND s.source = \(source) AND lower(s.customer_address) = lower(\(customerAddress))
                    AND s.status IN ('scheduled', 'answered') AND s.send_at <= \(at) AND s.expires_at > \(at)
                    AND o.status IN ('sending', 'sent', 'delivered')
                ORDER BY s.send_at DESC LIMIT 1
                """).map(Self.survey)
        }
    }

    /// Records a customer's answer to a survey, opening a follow-up when the score asks for one.
    public func recordSurveyAnswer(_ answer: SurveyAnswer) async throws -> SurveyAnswerResult {
        let (clocks, notifications) = (clockRules, notificationRules)
        return try await write { db in
            guard var survey = try await Self.survey(db, id: answer.surveyID) else { return .notFound }
            let (opensFollowUp, settlesFollowUpClock): (Bool, Bool)
            switch SurveyAnswerRules.decide(answer, on: survey) {
            case let .record(opens, settles): (opensFollowUp, settlesFollowUpClock) = (opens, settles)
            case .alreadyAnswered: return .alreadyAnswered(survey)
            case .closed: return .closed(survey)
            case .outOfScale: return .outOfScale(survey)
            }
            guard let conversation = try await Self.conversation(db, id: survey.conversationID) else { return .notFound }
            survey.status = .answered
            survey.score = answer.score
            survey.comment = answer.comment
            survey.answeredAt = answer.at
            survey.answeredVia = answer.via

            var followUpID: String?
            if opensFollowUp, let placement = answer.followUp {
                followUpID = try await Self.openFollowUp(
                    db, from: conversation, queue: placement.queue, policy: placement.slaPolicy, priority: placement.priority,
                    owner: nil, slaDueAt: placement.dueAt, firstResponse: nil, reason: "low satisfaction score",
                    detail: ["survey_id": survey.id, "score": String(answer.score)], at: answer.at, clocks: clocks)
                survey.followUpConversationID = followUpID
            }
            try await db.execute("""
                UPDATE surveys SET status = 'answered', score = \(answer.score), comment = \(answer.comment),
                    answered_at = \(answer.at.timeIntervalSince1970), answered_via = \(answer.via), follow_up_conversation_id = \(followUpID)
                WHERE id = \(survey.id)
                """)
            var detail = ["survey_id": survey.id, "kind": survey.kind.rawValue, "score": String(answer.score), "via": answer.via]
            if let comment = answer.comment { detail["comment"] = comment }
            if let followUpID { detail["follow_up_conversation_id"] = followUpID }
            try await Self.insertEvent(
                db, at: answer.at, subjectKind: "survey", subjectID: survey.id, conversationID: conversation.id,
                kind: "survey_answered", actor: "customer", detail: detail)
            if settlesFollowUpClock {
                try await Self.fulfilFollowUpClock(db, conversationID: conversation.id, at: answer.at, clocks: clocks)
            }
            try await Self.queueNotifications(db, [NotificationEvent(
                kind: .csatReceived, conversation: conversation, at: answer.at, actor: "customer",
                survey: .init(surveyID: survey.id, kind: survey.kind, score: answer.score, followUpConversationID: followUpID))],
                rules: notifications)
            return .recorded(survey)
        }
    }

    /// Adds the customer's comment to an answered survey that has none yet; false when it was not added.
    public func recordSurveyComment(surveyID: String, comment: String, at: Date) async throws -> Bool {
        try await write { db in
            let changed = try await db.execute(
                "UPDATE surveys SET comment = \(comment) WHERE id = \(surveyID) AND status = 'answered' AND comment IS NULL")
            guard changed == 1, let survey = try await Self.survey(db, id: surveyID) else { return false }
            try await Self.insertEvent(
                db, at: at, subjectKind: "survey", subjectID: surveyID, conversationID: survey.conversationID,
                kind: "survey_commented", actor: "customer", detail: ["survey_id": surveyID, "comment": comment])
            return true
        }
    }

    /// The key survey links are signed with, made and stored the first time it is asked for.
    public func surveyLinkKey() async throws -> [UInt8] {
        let name = "survey_link"
        if let key = try await read({ db in try await db.first("SELECT value FROM gateway_keys WHERE name = \(name)")?.data("value") }) {
            return Array(key)
        }
        var generator = SystemRandomNumberGenerator()
        let fresh = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return try await write { db in
            // Two gateways starting together: the first key written wins, and both use it.
            try await db.execute("""
                INSERT INTO gateway_keys (name, value, created_at) VALUES (\(name), \(fresh.bytea), \(Date().timeIntervalSince1970))
                ON CONFLICT (name) DO NOTHING
                """)
            return Array(try await db.first("SELECT value FROM gateway_keys WHERE name = \(name)")?.data("value") ?? fresh)
        }
    }
}

extension PostgresMessageStore {
    /// Commits the survey a resolution schedules, in the resolution's transaction: the question is an outbox
    /// entry due at `sendAt`. Skipped, with an event saying why, when this customer was surveyed within
    /// `minInterval`.
    static func scheduleSurvey(
        _ db: PostgresTransaction, _ scheduled: ScheduledSurvey, conversation: Conversation, actor: String, at: Date
    ) async throws {
        let recent = try await db.scalar("""
            SELECT EXISTS (SELECT 1 FROM surveys WHERE channel = \(conversation.channel.rawValue) AND source = \(conversation.source)
                AND lower(customer_address) = lower(\(conversation.customerAddress))
                AND status <> 'cancelled' AND send_at > \(scheduled.sendAt.timeIntervalSince1970 - scheduled.minInterval))
            """, as: Bool.self) ?? false
        if recent {
            try await insertEvent(
                db, at: at, subjectKind: "conversation", subjectID: conversation.id, conversationID: conversation.id,
                kind: "survey_skipped", actor: "system", detail: ["reason": "min_interval", "kind": scheduled.kind.rawValue])
            return
        }
        let entry = try await queueReply(
            db, scheduled.message, conversationID: conversation.id, channel: conversation.channel, source: conversation.source,
            recipient: conversation.customerAddress, author: "system", at: at)
        try await db.execute("UPDATE outbox SET next_attempt_at = \(scheduled.sendAt.timeIntervalSince1970) WHERE id = \(entry.id)")
        try await db.execute("""
            INSERT INTO surveys (id, conversation_id, kind, channel, source, customer_address, queue, language, outbox_id,
                status, created_at, send_at, expires_at, answer_url)
            VALUES (\(scheduled.id), \(conversation.id), \(scheduled.kind.rawValue), \(conversation.channel.rawValue),
                \(conversation.source), \(conversation.customerAddress), \(conversation.queue), \(conversation.language), \(entry.id),
                'scheduled', \(at.timeIntervalSince1970), \(scheduled.sendAt.timeIntervalSince1970),
                \(scheduled.expiresAt.timeIntervalSince1970), \(scheduled.answerURL))
            """)
        try await insertEvent(
            db, at: at, subjectKind: "survey", subjectID: scheduled.id, conversationID: conversation.id, kind: "survey_scheduled",
            actor: actor, detail: ["survey_id": scheduled.id, "kind": scheduled.kind.rawValue, "send_at": scheduled.sendAt.formatted(.iso8601)])
    }

    /// Withdraws the surveys of a reopened conversation whose question has not gone out yet: the problem is
    /// not solved, so nobody asks how it went.
    static func withdrawSurveys(_ db: PostgresTransaction, conversationID: String, at: Date) async throws {
        let pending = try await db.rows("""
            SELECT s.id, s.outbox_id FROM surveys s JOIN outbox o ON o.id = s.outbox_id
            WHERE s.conversation_id = \(conversationID) AND s.status = 'scheduled' AND o.status = 'queued'
            """)
        for row in pending {
            let surveyID: String = try row["id"], outboxID: String = try row["outbox_id"]
            try await db.execute(
                "UPDATE outbox SET status = 'cancelled', next_attempt_at = NULL, updated_at = \(at.timeIntervalSince1970) WHERE id = \(outboxID)")
            try await db.execute("UPDATE surveys SET status = 'cancelled' WHERE id = \(surveyID)")
            try await insertEvent(
                db, at: at, subjectKind: "survey", subjectID: surveyID, conversationID: conversationID, kind: "survey_cancelled",
                actor: "system", detail: ["survey_id": surveyID, "reason": "reopened"])
        }
    }

    /// Opens the follow-up task when the resolved conversation's `follow_up` clock warns and no survey
    /// answer made it unnecessary: a new conversation with the same customer, in the same queue and owner,
    /// whose first response is due when the follow-up is. The surveyed conversation's clock is handed over.
    static func openFollowUpTask(
        _ db: PostgresTransaction, conversationID: String, state: ClockState, at: Date, clocks: any ClockRules
    ) async throws {
        guard let conversation = try await conversation(db, id: conversationID) else { return }
        let answers = try await db.rows(
            "SELECT kind, score FROM surveys WHERE conversation_id = \(conversationID) AND status = 'answered'"
        ).compactMap { row -> (kind: SurveyKind, score: Int)? in
            guard let kind = SurveyKind(rawValue: try row["kind"]), let score: Int = try row["score"] else { return nil }
            return (kind, score)
        }
        guard SurveyAnswerRules.opensFollowUpTask(state: conversation.state, answers: answers) else { return }
        let remaining = ClockTarget(
            policy: state.target.policy, seconds: max(state.remaining, 0), calendar: state.target.calendar, warnBefore: nil)
        _ = try await openFollowUp(
            db, from: conversation, queue: conversation.queue, policy: conversation.slaPolicy, priority: conversation.priority,
            owner: conversation.owner, slaDueAt: state.dueAt, firstResponse: remaining, reason: "follow-up after resolution",
            detail: [:], at: at, clocks: clocks)
        try await fulfilFollowUpClock(db, conversationID: conversationID, at: at, clocks: clocks)
    }

    /// A new conversation that follows the given one up, linked to it as its previous conversation, with the
    /// events on both timelines. With `firstResponse`, that target replaces the policy's first response (a
    /// task due when the follow-up clock it comes from is due).
    private static func openFollowUp(
        _ db: PostgresTransaction, from conversation: Conversation, queue: String, policy: String, priority: Int, owner: String?,
        slaDueAt: Date?, firstResponse: ClockTarget?, reason: String, detail: [String: String], at: Date, clocks: (any ClockRules)?
    ) async throws -> String {
        let id = Identifier.make("conv", at: at)
        let state = owner == nil ? ConversationState.new.rawValue : ConversationState.assigned.rawValue
        let now = at.timeIntervalSince1970
        try await db.execute("""
            INSERT INTO conversations (id, channel, source, customer_address, customer_tier, language, queue,
                priority, urgency, sentiment, state, route_id, sla_policy, sla_due_at, owner, created_at, updated_at,
                inbound_count, previous_conversation_id)
            VALUES (\(id), \(conversation.channel.rawValue), \(conversation.source), \(conversation.customerAddress),
                \(conversation.customerTier.rawValue), \(conversation.language), \(queue), \(priority), \(conversation.urgency.rawValue),
                \(conversation.sentiment.rawValue), \(state), 'follow-up', \(policy), \(slaDueAt?.timeIntervalSince1970), \(owner),
                \(now), \(now), 0, \(conversation.id))
            """)
        var opened = detail
        opened["previous_conversation_id"] = conversation.id
        opened["reason"] = reason
        try await insertEvent(
            db, at: at, subjectKind: "conversation", subjectID: id, conversationID: id, kind: "follow_up_opened", actor: "system", detail: opened)
        try await insertEvent(
            db, at: at, subjectKind: "conversation", subjectID: conversation.id, conversationID: conversation.id,
            kind: "follow_up_created", actor: "system", detail: ["follow_up_conversation_id": id, "queue": queue, "reason": reason])
        if let clocks {
            var entries: [ClockPlanner.Entry] = []
            if let binding = clocks.binding(policy: policy) { entries = ClockPlanner.opening(binding, at: at) }
            if let firstResponse {
                entries = entries.filter { $0.clock != .firstResponse } + [ClockPlanner.Entry(.firstResponse, ClockEvent(at: at, .started(firstResponse)))]
            }
            try await append(db, conversationID: id, entries, rules: clocks)
        }
        return id
    }

    /// Fulfils the conversation's `follow_up` clock if it still counts.
    private static func fulfilFollowUpClock(_ db: PostgresTransaction, conversationID: String, at: Date, clocks: (any ClockRules)?) async throws {
        guard let clocks, let state = try await clockStates(db, conversationID: conversationID, at: at, rules: clocks)[.followUp],
              state.fulfilledAt == nil else { return }
        try await append(db, conversationID: conversationID, [ClockPlanner.Entry(.followUp, ClockEvent(at: at, .fulfilled))], rules: clocks)
    }

    static func survey(_ db: PostgresTransaction, id: String) async throws -> Survey? {
        try await db.first("SELECT * FROM surveys WHERE id = \(id)").map(survey)
    }

    private static func survey(_ row: PostgresTransaction.Row) throws -> Survey {
        let channel = ChannelKind(rawValue: try row["channel"])
        guard let kind = SurveyKind(rawValue: try row["kind"]), let status = SurveyStatus(rawValue: try row["status"]) else {
            throw SwitchboardError(.storageFailure, "survey '\((try row["id"] as String).excerptForMessage())' has a kind or status this version does not know")
        }
        let epoch = Date(timeIntervalSince1970: 0)
        return Survey(
            id: try row["id"], conversationID: try row["conversation_id"], kind: kind, channel: channel, source: try row["source"],
            customerAddress: try row["customer_address"], queue: try row["queue"], language: try row["language"],
            outboxID: try row["outbox_id"], status: status, createdAt: try row.date("created_at") ?? epoch,
            sendAt: try row.date("send_at") ?? epoch, expiresAt: try row.date("expires_at") ?? epoch, score: try row["score"],
            comment: try row["comment"], answeredAt: try row.date("answered_at"), answeredVia: try row["answered_via"],
            followUpConversationID: try row["follow_up_conversation_id"])
    }
}
