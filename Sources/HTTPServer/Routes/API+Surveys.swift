import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Pipeline
import Rules
import Signing
import SwitchboardCore

/// Survey answers by link and by API: `GET /s/{token}/{score}` (an email's one-click links, with the
/// comment form it offers), `POST /s/{token}/comment`, and `POST /v1/surveys/{token}` (a webhook
/// channel's own system). No bearer token: the signed survey token is the capability.
extension API {
    /// The longest comment kept, in characters (the form's `maxlength` too).
    static let maximumSurveyComment = 2000
    /// The comment form's body: 2000 CJK characters percent-encoded are 18 000 bytes.
    static let maximumSurveyFormBytes = 32 * 1024
    static let maximumSurveyJSONBytes = 16 * 1024

    /// `GET /s/{token}/{score}`: records the score and answers with a page in the survey's language.
    func answerSurveyLink(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let at = now()
        let (survey, key): (Survey, [UInt8])
        switch await linkedSurvey(token, at: at, context: context) {
        case let .found(found, linkKey): (survey, key) = (found, linkKey)
        case let .refused(page): return page
        }
        do {
            let language = SurveyPage.Language(tag: survey.language)
            guard let score = Self.linkScore(context.parameters.get("score") ?? ""), survey.kind.scale.contains(score) else {
                return Self.surveyPage(.outOfScale(scale: survey.kind.scale), language: language, status: .notFound)
            }
            let result = try await surveys.record(SurveyAnswer(surveyID: survey.id, score: score, via: "link", at: at), kind: survey.kind)
            let form = SurveyPage.CommentForm(
                action: "/s/\(token)/comment", proof: SurveyToken.commentProof(token: token, key: key), maximumLength: Self.maximumSurveyComment)
            switch result {
            case let .recorded(recorded):
                return Self.surveyPage(.recorded(score: score, scale: recorded.kind.scale, form: form), language: language, status: .ok)
            case let .alreadyAnswered(answered):
                // A customer who closed the page before commenting can still comment from a second click.
                let offer = answered.comment == nil ? form : nil
                return Self.surveyPage(.alreadyRecorded(score: answered.score, form: offer), language: language, status: .ok)
            case .closed:
                return Self.surveyPage(.closed, language: language, status: .gone)
            case let .outOfScale(survey):
                return Self.surveyPage(.outOfScale(scale: survey.kind.scale), language: language, status: .notFound)
            case .notFound:
                return Self.surveyPage(.notFound, language: language, status: .notFound)
            }
        } catch {
            return surveyUnavailable(error, context: context)
        }
    }

    /// `HEAD /s/{token}/{score}`: mail scanners and link previews fetch links before the customer does;
    /// they get the headers of a page and record nothing.
    func headSurveyLink() -> Response {
        Response(status: .ok, headers: Self.surveyPageHeaders)
    }

    /// `POST /s/{token}/comment` (form: `comment`, `proof`): adds the customer's comment to their answer.
    func commentSurveyLink(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        try request.requireMediaType(["application/x-www-form-urlencoded"])
        let body = try await request.collectBody(limit: Self.maximumSurveyFormBytes)
        let token = context.parameters.get("token") ?? ""
        let at = now()
        let (survey, key): (Survey, [UInt8])
        switch await linkedSurvey(token, at: at, context: context) {
        case let .found(found, linkKey): (survey, key) = (found, linkKey)
        case let .refused(page): return page
        }
        let form = Self.formFields(body)
        do {
            let language = SurveyPage.Language(tag: survey.language)
            guard let proof = form?["proof"], SurveyToken.isValidCommentProof(proof, token: token, key: key) else {
                return Self.surveyPage(.formRefused, language: language, status: .forbidden)
            }
            let comment: String
            switch Self.surveyComment(form?["comment"]) {
            case let .success(text): comment = text
            case let .failure(problem): return Self.surveyPage(.commentRefused(problem.problem), language: language, status: .badRequest)
            }
            let saved = try await store.recordSurveyComment(surveyID: survey.id, comment: comment, at: at)
            return saved
                ? Self.surveyPage(.commentSaved, language: language, status: .ok)
                : Self.surveyPage(.commentNotSaved, language: language, status: .conflict)
        } catch {
            return surveyUnavailable(error, context: context)
        }
    }

    /// `POST /v1/surveys/{token}` with `{"score": N, "comment"?: "…"}`: 201 recorded, 200 when the same
    /// score was recorded already (a retried call), 409 `already_answered` for another score, 410
    /// `survey_closed`, 422 `score_out_of_scale`, 404 `survey_not_found` for a token that is not ours.
    func answerSurveyAPI(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        try request.requireMediaType(["application/json"])
        let body = try await request.collectBody(limit: Self.maximumSurveyJSONBytes)
        let at = now()
        let key = try await store.surveyLinkKey()
        let claims: SurveyTokenClaims
        switch SurveyToken.verify(context.parameters.get("token") ?? "", key: key, now: at) {
        case let .success(verified): claims = verified
        case let .failure(error):
            context.logger.info("survey token refused", metadata: ["survey.token_error": "\(error.code.rawValue)"])
            if error.code == .expired { throw Self.surveyClosed }
            throw Self.surveyNotFound
        }
        let answer = try Self.decodeSurveyAnswer(body)
        guard let survey = try await store.survey(id: claims.surveyID) else { throw Self.surveyNotFound }
        guard survey.kind.scale.contains(answer.score) else { throw Self.outOfScale(survey.kind) }
        let result = try await surveys.record(
            SurveyAnswer(surveyID: survey.id, score: answer.score, comment: answer.comment, via: "api", at: at), kind: survey.kind)
        switch result {
        case let .recorded(recorded):
            return try JSONBody.response(SurveyAnswerView(recorded), status: .created)
        case let .alreadyAnswered(answered):
            guard answered.score == answer.score else {
                throw APIError(.conflict, code: "already_answered", "this survey has its answer already; the first answer counts")
            }
            var shown = answered
            if let comment = answer.comment, answered.comment == nil,
               try await store.recordSurveyComment(surveyID: answered.id, comment: comment, at: at) {
                shown.comment = comment
            }
            return try JSONBody.response(SurveyAnswerView(shown), status: .ok)
        case .closed:
            throw Self.surveyClosed
        case let .outOfScale(survey):
            throw Self.outOfScale(survey.kind)
        case .notFound:
            throw Self.surveyNotFound
        }
    }

    static let surveyNotFound = APIError(.notFound, code: "survey_not_found", "no survey has this token")
    static let surveyClosed = APIError(.gone, code: "survey_closed", "this survey no longer accepts answers")

    static func outOfScale(_ kind: SurveyKind) -> APIError {
        APIError(
            .unprocessableContent, code: "score_out_of_scale",
            "a \(kind.rawValue) score is a whole number from \(kind.scale.lowerBound) to \(kind.scale.upperBound)")
    }

    /// What `POST /v1/surveys/{token}` answers: the survey's answer, nothing of its conversation.
    struct SurveyAnswerView: Encodable {
        var surveyID: String
        var kind: String
        var status: String
        var score: Int?
        var comment: String?
        var answeredAt: Date?
        var answeredVia: String?

        init(_ survey: Survey) {
            surveyID = survey.id
            kind = survey.kind.rawValue
            status = survey.status.rawValue
            score = survey.score
            comment = survey.comment
            answeredAt = survey.answeredAt
            answeredVia = survey.answeredVia
        }
    }

    struct SurveyAnswerRequest: Equatable {
        var score: Int
        var comment: String?
    }

    /// `{"score": N, "comment"?: "…"}`; unknown fields, a score that is not a whole number, and a
    /// comment too long or with control characters are refused with 400. An empty comment is none.
    static func decodeSurveyAnswer(_ body: Data) throws -> SurveyAnswerRequest {
        let decoded = try JSONBody.decode(SurveyAnswerBody.self, from: body) { field in
            field == "score" ? "field 'score' must be a whole number" : "field '\(field.excerptForMessage())' must be a string"
        }
        var comment: String?
        if let text = decoded.comment {
            switch surveyComment(text) {
            case let .success(checked): comment = checked
            case let .failure(refusal):
                if refusal.problem != .empty { throw APIError.badRequest(refusal.message) }
            }
        }
        return SurveyAnswerRequest(score: decoded.score, comment: comment)
    }

    struct SurveyAnswerBody: Decodable {
        var score: Int
        var comment: String?

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !["score", "comment"].contains($0) }) {
                throw APIError.badRequest("unknown field '\(unknown.excerptForMessage())' (expected score, comment)")
            }
            let scoreKey = Key(stringValue: "score")
            // A fraction (4.5) is a number, but not a score; anything else is refused by the decoding.
            if let whole = try? container.decode(Int.self, forKey: scoreKey) {
                score = whole
            } else if (try? container.decode(Double.self, forKey: scoreKey)) != nil {
                throw APIError.badRequest("field 'score' must be a whole number")
            } else {
                score = try container.decode(Int.self, forKey: scoreKey)
            }
            comment = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "comment"))
        }
    }

    struct CommentRefusal: Error, Equatable {
        var problem: SurveyPage.CommentProblem
        var message: String {
            switch problem {
            case .empty: "field 'comment' is empty"
            case let .tooLong(maximum): "field 'comment' is longer than \(maximum) characters"
            case .controlCharacters: "field 'comment' holds a control character (only tab and line breaks are allowed)"
            }
        }
    }

    /// A comment as kept: trimmed, at most ``maximumSurveyComment`` characters, no control characters
    /// but tab and line breaks.
    static func surveyComment(_ text: String?) -> Result<String, CommentRefusal> {
        let trimmed = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return .failure(CommentRefusal(problem: .empty)) }
        guard trimmed.count <= maximumSurveyComment else { return .failure(CommentRefusal(problem: .tooLong(maximum: maximumSurveyComment))) }
        let refused = trimmed.unicodeScalars.contains { scalar in
            switch scalar.value {
            case 0x09, 0x0A, 0x0D: false
            case 0x00...0x1F, 0x7F...0x9F: true
            default: false
            }
        }
        return refused ? .failure(CommentRefusal(problem: .controlCharacters)) : .success(trimmed)
    }

    /// A score in a link: one or two ASCII digits.
    static func linkScore(_ text: String) -> Int? {
        guard (1...2).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    /// An `application/x-www-form-urlencoded` body's fields (the first of a repeated name); nil when it
    /// is not valid percent-encoded UTF-8.
    static func formFields(_ body: Data) -> [String: String]? {
        guard let text = String(data: body, encoding: .utf8) else { return nil }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
                  let value = String(parts.count > 1 ? parts[1] : "").replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                return nil
            }
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    /// What a survey link's token leads to: its survey, with the key the token was checked with, or the
    /// page that refuses it.
    private enum LinkedSurvey {
        case found(Survey, key: [UInt8])
        case refused(Response)
    }

    /// Checks a link's token with the store's key and reads the survey it names.
    private func linkedSurvey(_ token: String, at: Date, context: SwitchboardRequestContext) async -> LinkedSurvey {
        do {
            let key = try await store.surveyLinkKey()
            switch SurveyToken.verify(token, key: key, now: at) {
            case let .success(claims):
                guard let survey = try await store.survey(id: claims.surveyID) else {
                    return .refused(Self.surveyPage(.notFound, language: nil, status: .notFound))
                }
                return .found(survey, key: key)
            case let .failure(error):
                return .refused(await refusedSurveyToken(error, context: context))
            }
        } catch {
            return .refused(surveyUnavailable(error, context: context))
        }
    }

    /// The page for a token that failed: expired ones get the "closed" page in their survey's language.
    private func refusedSurveyToken(_ error: SurveyTokenError, context: SwitchboardRequestContext) async -> Response {
        context.logger.info("survey token refused", metadata: ["survey.token_error": "\(error.code.rawValue)"])
        guard error.code == .expired, let id = error.surveyID else { return Self.surveyPage(.notFound, language: nil, status: .notFound) }
        let survey = try? await store.survey(id: id)
        return Self.surveyPage(.closed, language: survey.map { SurveyPage.Language(tag: $0.language) }, status: .gone)
    }

    private func surveyUnavailable(_ error: any Error, context: SwitchboardRequestContext) -> Response {
        context.logger.error("survey answer not stored", metadata: ["error.type": "\(type(of: error))", "error": "\(loggableDescription(error))"])
        var response = Self.surveyPage(.unavailable, language: nil, status: .serviceUnavailable)
        response.headers[.retryAfter] = "60"
        return response
    }

    /// Survey pages carry a customer's answer: no cache keeps them, no browser guesses their type, the
    /// page may load nothing and post only to itself, and no link from it tells another site the token.
    static let surveyPageHeaders: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .cacheControl: "no-store",
        .xContentTypeOptions: "nosniff",
        .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
    ]

    static func surveyPage(_ content: SurveyPage.Content, language: SurveyPage.Language?, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: surveyPageHeaders,
            body: ResponseBody(byteBuffer: ByteBuffer(string: SurveyPage(content, language: language).html())))
    }
}
