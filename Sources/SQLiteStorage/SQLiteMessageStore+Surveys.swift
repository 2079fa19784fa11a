import Conversations
import Foundation
import GRDB
import StoreSupport
import SwitchboardCore

extension SQLiteMessageStore {
    public func survey(id: String) async throws -> Survey? {
        try await pool.read { db in try Self.survey(db, id: id) }
    }

    public func openSurvey(channel: ChannelKind, source: String, customerAddress: String, at: Date) async throws -> Survey? {
        try await pool.read { db in
            // Only a question that actually went out can be answered: one still queued, failed or cancelled
            // asked nothing, and a bare "5" from that customer is an ordinary message. An answered survey is
            // still found in its window, so a repeated or retried answer is taken as that answer again.
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT s.* FROM surveys s JOIN outbox o ON o.id = s.outbox_id
                    WHERE s.channel = ? AND s.source = ? AND lower(s.customer_address) = lower(?)
                        AND s.status IN ('scheduled', 'answered') AND s.send_at <= ?4 AND s.expires_at > ?4
                        AND o.status IN ('sending', 'sent', 'delivered')
                    ORDER BY s.send_at DESC LIMIT 1
                    """,
                arguments: [channel.rawValue, source, customerAddress, at.timeIntervalSince1970])
            return try row.map(Self.survey)
        }
    }

    public func recordSurveyAnswer(_ answer: SurveyAnswer) async throws -> SurveyAnswerResult {
        let (clocks, notifications) = (clockRules, notificationRules)
        return try await pool.write { db in
            guard var survey = try Self.survey(db, id: answer.surveyID) else { return .notFound }
            let (opensFollowUp, settlesFollowUpClock): (Bool, Bool)
            switch SurveyAnswerRules.decide(answer, on: survey) {
            case let .record(opens, settles): (opensFollowUp, settlesFollowUpClock) = (opens, settles)
            case .alreadyAnswered: return .alreadyAnswered(survey)
            case .closed: return .closed(survey)
            case .outOfScale: return .outOfScale(survey)
            }
            guard let conversation = try Self.conversation(db, id: survey.conversationID) else { return .notFound }
            survey.status = .answered
            survey.score = answer.score
            survey.comment = answer.comment
            survey.answeredAt = answer.at
            survey.answeredVia = answer.via

            var followUpID: String?
            if opensFollowUp, let placement = answer.followUp {
                followUpID = try Self.openFollowUp(
                    db, from: conversation, queue: placement.queue, policy: placement.slaPolicy, priority: placement.priority,
                    owner: nil, slaDueAt: placement.dueAt, firstResponse: nil, reason: "low satisfaction score",
                    detail: ["survey_id": survey.id, "score": String(answer.score)], at: answer.at, clocks: clocks)
                survey.followUpConversationID = followUpID
            }
            try db.execute(
                sql: """
                    UPDATE surveys SET status = 'answered', score = ?, comment = ?, answered_at = ?, answered_via = ?,
                        follow_up_conversation_id = ? WHERE id = ?
                    """,
                arguments: [answer.score, answer.comment, answer.at.timeIntervalSince1970, answer.via, followUpID, survey.id])
            var detail = ["survey_id": survey.id, "kind": survey.kind.rawValue, "score": String(answer.score), "via": answer.via]
            if let comment = answer.comment { detail["comment"] = comment }
            if let followUpID { detail["follow_up_conversation_id"] = followUpID }
            try Self.insertEvent(
                db, at: answer.at, subjectKind: "survey", subjectID: survey.id, conversationID: conversation.id,
                kind: "survey_answered", actor: "customer", detail: detail)
            if settlesFollowUpClock {
                try Self.fulfilFollowUpClock(db, conversationID: conversation.id, at: answer.at, clocks: clocks)
            }
            try Self.queueNotifications(db, [NotificationEvent(
                kind: .csatReceived, conversation: conversation, at: answer.at, actor: "customer",
                survey: .init(surveyID: survey.id, kind: survey.kind, score: answer.score, followUpConversationID: followUpID))],
                rules: notifications)
            return .recorded(survey)
        }
    }

    public func recordSurveyComment(surveyID: String, comment: String, at: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE surveys SET comment = ? WHERE id = ? AND status = 'answered' AND comment IS NULL",
                arguments: [comment, surveyID])
            guard db.changesCount == 1, let survey = try Self.survey(db, id: surveyID) else { return false }
            try Self.insertEvent(
                db, at: at, subjectKind: "survey", subjectID: surveyID, conversationID: survey.conversationID,
                kind: "survey_commented", actor: "customer", detail: ["survey_id": surveyID, "comment": comment])
            return true
        }
    }

    public func surveyLinkKey() async throws -> [UInt8] {
        let name = "survey_link"
        if let key = try await pool.read({ db in try Data.fetchOne(db, sql: "SELECT value FROM gateway_keys WHERE name = ?", arguments: [name]) }) {
            return Array(key)
        }
        var generator = SystemRandomNumberGenerator()
        let fresh = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return try await pool.write { db in
            // Two gateways starting together: the first key written wins, and both use it.
            try db.execute(
                sql: "INSERT INTO gateway_keys (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
                arguments: [name, fresh, Date().timeIntervalSince1970])
            return Array(try Data.fetchOne(db, sql: "SELECT value FROM gateway_keys WHERE name = ?", arguments: [name]) ?? fresh)
        }
    }
}

extension SQLiteMessageStore {
    /// Commits the survey a resolution schedules, in the resolution's transaction: the question is an outbox
    /// entry due at `sendAt`. Skipped, with an event saying why, when this customer was surveyed within
    /// `minInterval`.
    static func scheduleSurvey(_ db: Database, _ scheduled: ScheduledSurvey, conversation: Conversation, actor: String, at: Date) throws {
        let recent = try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM surveys WHERE channel = ? AND source = ? AND lower(customer_address) = lower(?)
                    AND status != 'cancelled' AND send_at > ?)
                """,
            arguments: [
                conversation.channel.rawValue, conversation.source, conversation.customerAddress,
                scheduled.sendAt.timeIntervalSince1970 - scheduled.minInterval,
            ]) ?? false
        if recent {
            try insertEvent(
                db, at: at, subjectKind: "conversation", subjectID: conversation.id, conversationID: conversation.id,
                kind: "survey_skipped", actor: "system", detail: ["reason": "min_interval", "kind": scheduled.kind.rawValue])
            return
        }
        let entry = try queueReply(
            db, scheduled.message, conversationID: conversation.id, channel: conversation.channel, source: conversation.source,
            recipient: conversation.customerAddress, author: "system", at: at)
        try db.execute(
            sql: "UPDATE outbox SET next_attempt_at = ? WHERE id = ?", arguments: [scheduled.sendAt.timeIntervalSince1970, entry.id])
        try db.execute(
            sql: """
                INSERT INTO surveys (id, conversation_id, kind, channel, source, customer_address, queue, language, outbox_id,
                    status, created_at, send_at, expires_at, answer_url)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?)
                """,
            arguments: [
                scheduled.id, conversation.id, scheduled.kind.rawValue, conversation.channel.rawValue, conversation.source,
                conversation.customerAddress, conversation.queue, conversation.language, entry.id, at.timeIntervalSince1970,
                scheduled.sendAt.timeIntervalSince1970, scheduled.expiresAt.timeIntervalSince1970, scheduled.answerURL,
            ])
        try insertEvent(
            db, at: at, subjectKind: "survey", subjectID: scheduled.id, conversationID: conversation.id, kind: "survey_scheduled",
            actor: actor, detail: ["survey_id": scheduled.id, "kind": scheduled.kind.rawValue, "send_at": scheduled.sendAt.formatted(.iso8601)])
    }

    /// Withdraws the surveys of a reopened conversation whose question has not gone out yet: the problem is
    /// not solved, so nobody asks how it went.
    static func withdrawSurveys(_ db: Database, conversationID: String, at: Date) throws {
        let pending = try Row.fetchAll(
            db,
            sql: """
                SELECT s.id, s.outbox_id FROM surveys s JOIN outbox o ON o.id = s.outbox_id
                WHERE s.conversation_id = ? AND s.status = 'scheduled' AND o.status = 'queued'
                """,
            arguments: [conversationID])
        for row in pending {
            let surveyID: String = row[0], outboxID: String = row[1]
            try db.execute(
                sql: "UPDATE outbox SET status = 'cancelled', next_attempt_at = NULL, updated_at = ? WHERE id = ?",
                arguments: [at.timeIntervalSince1970, outboxID])
            try db.execute(sql: "UPDATE surveys SET status = 'cancelled' WHERE id = ?", arguments: [surveyID])
            try insertEvent(
                db, at: at, subjectKind: "survey", subjectID: surveyID, conversationID: conversationID, kind: "survey_cancelled",
                actor: "system", detail: ["survey_id": surveyID, "reason": "reopened"])
        }
    }

    /// Opens the follow-up task when the resolved conversation's `follow_up` clock warns and no survey
    /// answer made it unnecessary: a new conversation with the same customer, in the same queue and owner,
    /// whose first response is due when the follow-up is. The surveyed conversation's clock is handed over.
    static func openFollowUpTask(
        _ db: Database, conversationID: String, state: ClockState, at: Date, clocks: any ClockRules
    ) throws {
        guard let conversation = try conversation(db, id: conversationID) else { return }
        let answers = try Row.fetchAll(
            db, sql: "SELECT kind, score FROM surveys WHERE conversation_id = ? AND status = 'answered'", arguments: [conversationID]
        ).compactMap { row -> (kind: SurveyKind, score: Int)? in
            guard let kind = SurveyKind(rawValue: row[0]), let score: Int = row[1] else { return nil }
            return (kind, score)
        }
        guard SurveyAnswerRules.opensFollowUpTask(state: conversation.state, answers: answers) else { return }
        let remaining = ClockTarget(
            policy: state.target.policy, seconds: max(state.remaining, 0), calendar: state.target.calendar, warnBefore: nil)
        _ = try openFollowUp(
            db, from: conversation, queue: conversation.queue, policy: conversation.slaPolicy, priority: conversation.priority,
            owner: conversation.owner, slaDueAt: state.dueAt, firstResponse: remaining, reason: "follow-up after resolution",
            detail: [:], at: at, clocks: clocks)
        try fulfilFollowUpClock(db, conversationID: conversationID, at: at, clocks: clocks)
    }

    /// A new conversation that follows the given one up, linked to it as its previous conversation, with the
    /// events on both timelines. With `firstResponse`, that target replaces the policy's first response (a
    /// task due when the follow-up clock it comes from is due).
    private static func openFollowUp(
        _ db: Database, from conversation: Conversation, queue: String, policy: String, priority: Int, owner: String?,
        slaDueAt: Date?, firstResponse: ClockTarget?, reason: String, detail: [String: String], at: Date, clocks: (any ClockRules)?
    ) throws -> String {
        let id = Identifier.make("conv", at: at)
        try db.execute(
            sql: """
                INSERT INTO conversations (id, channel, source, customer_address, customer_tier, language, queue,
                    priority, urgency, sentiment, state, route_id, sla_policy, sla_due_at, owner, created_at, updated_at,
                    inbound_count, previous_conversation_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'follow-up', ?, ?, ?, ?15, ?15, 0, ?)
                """,
            arguments: [
                id, conversation.channel.rawValue, conversation.source, conversation.customerAddress, conversation.customerTier.rawValue,
                conversation.language, queue, priority, conversation.urgency.rawValue, conversation.sentiment.rawValue,
                owner == nil ? ConversationState.new.rawValue : ConversationState.assigned.rawValue, policy, slaDueAt?.timeIntervalSince1970,
                owner, at.timeIntervalSince1970, conversation.id,
            ])
        var opened = detail
        opened["previous_conversation_id"] = conversation.id
        opened["reason"] = reason
        try insertEvent(db, at: at, subjectKind: "conversation", subjectID: id, conversationID: id, kind: "follow_up_opened", actor: "system", detail: opened)
        try insertEvent(
            db, at: at, subjectKind: "conversation", subjectID: conversation.id, conversationID: conversation.id,
            kind: "follow_up_created", actor: "system", detail: ["follow_up_conversation_id": id, "queue": queue, "reason": reason])
        if let clocks {
            var entries: [ClockPlanner.Entry] = []
            if let binding = clocks.binding(policy: policy) { entries = ClockPlanner.opening(binding, at: at) }
            if let firstResponse {
                entries = entries.filter { $0.clock != .firstResponse } + [ClockPlanner.Entry(.firstResponse, ClockEvent(at: at, .started(firstResponse)))]
            }
            try append(db, conversationID: id, entries, rules: clocks)
        }
        return id
    }

    /// Fulfils the conversation's `follow_up` clock if it still counts.
    private static func fulfilFollowUpClock(_ db: Database, conversationID: String, at: Date, clocks: (any ClockRules)?) throws {
        guard let clocks, let state = try clockStates(db, conversationID: conversationID, at: at, rules: clocks)[.followUp],
              state.fulfilledAt == nil else { return }
        try append(db, conversationID: conversationID, [ClockPlanner.Entry(.followUp, ClockEvent(at: at, .fulfilled))], rules: clocks)
    }

    static func survey(_ db: Database, id: String) throws -> Survey? {
        try Row.fetchOne(db, sql: "SELECT * FROM surveys WHERE id = ?", arguments: [id]).map(survey)
    }

    private static func survey(_ row: Row) throws -> Survey {
        func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        let channel = ChannelKind(rawValue: row["channel"])
        guard let kind = SurveyKind(rawValue: row["kind"]), let status = SurveyStatus(rawValue: row["status"]) else {
            throw SwitchboardError(.storageFailure, "survey '\((row["id"] as String).excerptForMessage())' has a kind or status this version does not know")
        }
        return Survey(
            id: row["id"], conversationID: row["conversation_id"], kind: kind, channel: channel, source: row["source"],
            customerAddress: row["customer_address"], queue: row["queue"], language: row["language"], outboxID: row["outbox_id"],
            status: status, createdAt: date("created_at")!, sendAt: date("send_at")!, expiresAt: date("expires_at")!, score: row["score"],
            comment: row["comment"], answeredAt: date("answered_at"), answeredVia: row["answered_via"],
            followUpConversationID: row["follow_up_conversation_id"])
    }
}
