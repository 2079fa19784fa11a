import Foundation
import Logging
import Metrics
import Rules
import Signing
import SwitchboardCore

/// Satisfaction surveys on the gateway's side of the store: it renders the question a resolution
/// schedules (with its signed answer links) and takes a customer's SMS answer, with the follow-up the
/// rules name for a low score. The store decides nothing here; it records what this hands it.
public struct SurveyDesk: Sendable {
    private let store: any SurveyStore
    private let rules: RuleBook
    private let composer: ReplyComposer
    private let publicURL: @Sendable () -> String
    private let logger: Logger
    private let metricsFactory: any MetricsFactory

    /// - Parameter publicURL: how customers reach the gateway (`server.public_url`, else its listening
    ///   address, known once it listens): the base of the answer links.
    public init(
        store: any SurveyStore, rules: RuleBook, composer: ReplyComposer, publicURL: @escaping @Sendable () -> String, logger: Logger,
        metricsFactory: any MetricsFactory
    ) {
        self.store = store
        self.rules = rules
        self.composer = composer
        self.publicURL = publicURL
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// The survey a resolution of `conversation` at `now` schedules, rendered from the kind's script; nil
    /// when the rules send none (no `surveys.yaml`) or the script cannot be rendered, which is logged and
    /// counted: the resolution itself still stands.
    public func schedule(
        for conversation: Conversation, kind requested: SurveyKind?, author: String, authorName: String, at now: Date
    ) async throws -> ScheduledSurvey? {
        guard let policy = rules.current.rules.surveys else { return nil }
        let kind = requested ?? policy.send
        guard let settings = policy.kinds[kind] else { return nil }
        let id = Identifier.make("srv", at: now)
        let sendAt = now.addingTimeInterval(policy.delay)
        let expiresAt = sendAt.addingTimeInterval(policy.window)
        let token = SurveyToken.make(surveyID: id, expiresAt: expiresAt, key: try await store.surveyLinkKey())
        var base = publicURL()
        while base.hasSuffix("/") { base.removeLast() }
        var links = ["survey.url": "\(base)/s/\(token)"]
        for score in kind.scale { links["survey.link_\(score)"] = "\(base)/s/\(token)/\(score)" }
        do {
            let body = try await composer.render(
                script: settings.script, variables: [:], for: conversation, author: author, authorName: authorName, provided: links)
            return ScheduledSurvey(
                id: id, kind: kind, message: PendingReply(script: settings.script, body: body, automatic: true), sendAt: sendAt,
                expiresAt: expiresAt, minInterval: policy.minInterval, answerURL: "\(base)/v1/surveys/\(token)")
        } catch let error as SwitchboardError {
            logger.error("survey not scheduled: its script could not be rendered", metadata: [
                "conversation.id": "\(conversation.id)", "reply.script": "\(settings.script)", "error.code": "\(error.code)",
                "error": "\(error.message)",
            ])
            Counter(label: "switchboard_survey_failures_total", dimensions: [("script", settings.script)], factory: metricsFactory).increment()
            return nil
        }
    }

    /// Takes an SMS that answers the customer's open survey: a single score in the survey's scale (`5`,
    /// `５`, `五`, `5分`), from the surveyed number, within the window. Answered, it never becomes a
    /// message of a conversation and is never acknowledged; nil for anything else, which is an ordinary message.
    public func answer(_ inbound: InboundMessage) async throws -> Survey? {
        // NPS's 0-10 holds every scale: text that is no score on it is no answer, and costs no look-up.
        guard inbound.channel == .sms, SurveyReplyParser.score(in: inbound.text, kind: .nps) != nil,
              let survey = try await store.openSurvey(
                  channel: inbound.channel, source: inbound.source, customerAddress: inbound.sender, at: inbound.receivedAt),
              let score = SurveyReplyParser.score(in: inbound.text, kind: survey.kind)
        else { return nil }
        switch try await record(SurveyAnswer(surveyID: survey.id, score: score, via: "sms", at: inbound.receivedAt), kind: survey.kind) {
        case let .recorded(survey), let .alreadyAnswered(survey): return survey
        case .closed, .outOfScale, .notFound: return nil
        }
    }

    /// Records an answer (by SMS, link or API) with the follow-up the rules name for a low score of its
    /// kind, logging and counting what it recorded.
    public func record(_ answer: SurveyAnswer, kind: SurveyKind) async throws -> SurveyAnswerResult {
        var answer = answer
        answer.followUp = rules.current.rules.surveyFollowUp(for: kind, answeredAt: answer.at)
        let result = try await store.recordSurveyAnswer(answer)
        switch result {
        case let .recorded(survey):
            logger.info("survey answered", metadata: [
                "survey.id": "\(survey.id)", "conversation.id": "\(survey.conversationID)", "survey.kind": "\(survey.kind.rawValue)",
                "survey.score": "\(answer.score)", "survey.via": "\(answer.via)", "survey.follow_up": "\(survey.followUpConversationID ?? "-")",
            ])
            Counter(label: "switchboard_survey_answers_total", dimensions: [("kind", survey.kind.rawValue), ("via", answer.via)], factory: metricsFactory)
                .increment()
        case .alreadyAnswered, .closed, .outOfScale, .notFound:
            break
        }
        return result
    }
}
