import Conversations
import Digests
import Foundation
import HTTPTypes
import Hummingbird
import SwitchboardCore

/// Agents' and supervisors' actions on conversations: `POST /v1/conversations/{id}/{action}` and
/// `POST /v1/queues/{queue}/claim`.
extension API {
    /// The longest reason, note or resolution accepted, in characters.
    static let maxActionText = 4_000

    func postAction(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        guard let identity = context.identity else { throw APIError.unauthorized }
        let id = context.parameters.get("id") ?? ""
        let name = context.parameters.get("action") ?? ""
        guard let kind = Self.actionKinds[name] else {
            throw APIError.notFound("no action '\(name.excerptForMessage())'; the actions are \(Self.actionKinds.keys.sorted().joined(separator: ", "))")
        }
        let key = try Self.idempotencyKey(request)
        let body = try await request.collectBody(limit: configuration.maxBodyBytes)
        let fields = try Self.actionFields(body, request: request, allowed: Self.actionFieldNames[kind] ?? [])
        // A scoped token acts only on conversations it may see; the others do not exist for it.
        guard let conversation = try await store.conversation(id: id), identity.covers(conversation) else {
            throw APIError.notFound("conversation '\(id.excerptForMessage())' does not exist")
        }
        let (action, reason) = try lifecycleAction(kind, fields, identity: identity)
        var reply: PendingReply?
        if case let .handoff(target) = action {
            reply = try await handoffReply(fields, target: target, conversation: conversation, identity: identity)
        }
        var survey: ScheduledSurvey?
        if case .resolve = action, let kind = try surveyRequested(fields["survey"]) {
            survey = try await storing {
                try await surveys.schedule(for: conversation, kind: kind, author: identity.id, authorName: identity.name, at: now())
            }
        }
        let result = try await storing {
            try await desk.perform(
                action, on: conversation, by: Self.actor(identity), reason: reason, idempotencyKey: key,
                fingerprint: Digest.hex(Digest.sha256(Data("\(id) \(name) ".utf8) + body)), reply: reply, survey: survey)
        }
        switch result {
        case let .applied(conversation):
            return try JSONBody.response(conversation)
        case let .replayed(conversation):
            return try JSONBody.response(conversation, headers: [HTTPField.Name("Idempotent-Replayed")!: "true"])
        case let .refused(refusal):
            throw Self.refusal(refusal)
        case .idempotencyConflict:
            throw Self.idempotencyConflict
        case .notFound:
            throw APIError.notFound("conversation '\(id.excerptForMessage())' does not exist")
        }
    }

    func postClaimNext(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        guard let identity = context.identity else { throw APIError.unauthorized }
        let queue = context.parameters.get("queue") ?? ""
        let key = try Self.idempotencyKey(request)
        _ = try Self.actionFields(try await request.collectBody(limit: configuration.maxBodyBytes), request: request, allowed: [])
        guard identity.covers(queue: queue), desk.queueExists(queue) else {
            throw APIError.notFound("queue '\(queue.excerptForMessage())' does not exist")
        }
        let result = try await storing {
            try await desk.claimNext(
                queue: queue, actor: Self.actor(identity), maxOpen: identity.maxOpen, sources: identity.sources, idempotencyKey: key)
        }
        switch result {
        case let .claimed(conversation):
            return try JSONBody.response(conversation)
        case .empty:
            return Response(status: .noContent)
        case let .atCapacity(open):
            throw APIError(.conflict, code: "at_capacity", "this agent owns \(open) unresolved conversations, the most its token allows (max_open)")
        case .idempotencyConflict:
            throw Self.idempotencyConflict
        }
    }

    /// Runs a store call, answering 503 for a store that failed (and logging only the error's type).
    private func storing<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.serviceUnavailable, code: "storage_unavailable", "the action could not be committed; nothing changed, retry later", headers: [.retryAfter: "1"])
        }
    }

    /// The action a request names, with its arguments checked: an owner must be a known token id, a
    /// queue one the rules define, a wait must end in the future.
    private func lifecycleAction(
        _ kind: LifecycleAction.Kind, _ fields: [String: ActionField], identity: AccessToken
    ) throws -> (LifecycleAction, String?) {
        func text(_ name: String, required: Bool = false) throws -> String? {
            guard let field = fields[name] else {
                if required { throw APIError(.unprocessableContent, code: "invalid_request", "field '\(name)' is required") }
                return nil
            }
            guard case let .string(value) = field else { throw APIError.badRequest("field '\(name)' must be a string") }
            if value.trimmingWhitespace().isEmpty { throw APIError(.unprocessableContent, code: "invalid_request", "field '\(name)' must not be empty") }
            if value.count > Self.maxActionText {
                throw APIError(.unprocessableContent, code: "field_too_long", "field '\(name)' is longer than \(Self.maxActionText) characters")
            }
            try Self.refuseControls([name: value])
            return value
        }
        func owner(_ name: String) throws -> String {
            let owner = try text(name, required: true)!
            guard configuration.tokens.knows(id: owner) else {
                throw APIError(.unprocessableContent, code: "unknown_owner", "field '\(name)' names no agent: owners are the ids of the API tokens")
            }
            return owner
        }
        switch kind {
        case .assign:
            return (.assign(owner: try owner("owner")), try text("reason"))
        case .claim:
            return (.claim, try text("reason"))
        case .handoff:
            switch (fields["to_owner"], fields["to_queue"]) {
            case (.some, nil):
                return (.handoff(.owner(try owner("to_owner"))), try text("note"))
            case (nil, .some):
                let queue = try text("to_queue", required: true)!
                guard desk.queueExists(queue), identity.covers(queue: queue) else {
                    throw APIError(.unprocessableContent, code: "unknown_queue", "field 'to_queue' names no queue the rules define")
                }
                return (.handoff(.queue(queue)), try text("note"))
            default:
                throw APIError(.unprocessableContent, code: "invalid_request", "give exactly one of 'to_owner' and 'to_queue'")
            }
        case .escalate:
            guard case let .integer(number)? = fields["level"] else {
                throw APIError(.unprocessableContent, code: "invalid_request", "field 'level' is required: a whole number from 1 (major) to 4 (minor)")
            }
            guard let level = EscalationLevel(number) else {
                throw APIError(.unprocessableContent, code: "invalid_request", "field 'level' must be from 1 (major) to 4 (minor)")
            }
            return (.escalate(level), try text("reason", required: true))
        case .wait:
            var until: Date?
            if let value = try text("until") {
                guard let date = Date(iso8601: value) else {
                    throw APIError(.unprocessableContent, code: "invalid_request", "field 'until' must be a time with its zone, such as 2027-01-31T18:00:00Z")
                }
                guard date > now() else { throw APIError(.unprocessableContent, code: "invalid_request", "field 'until' must be in the future") }
                until = date
            }
            return (.wait(until: until), try text("reason"))
        case .resolve:
            return (.resolve, try text("resolution", required: true))
        case .reopen:
            return (.reopen, try text("reason"))
        case .close:
            return (.close, try text("reason"))
        case .note:
            return (.note, try text("text", required: true))
        case .agentReply, .customerMessage, .waitEnded:
            throw APIError.notFound("no such action")
        }
    }

    /// The survey a resolution asks for: `"survey": false` for none; absent or `true` for the kind the
    /// rules send; `"csat"` or `"nps"` for that kind, which the rules must configure. Nil for none.
    private func surveyRequested(_ field: ActionField?) throws -> SurveyKind?? {
        switch field {
        case nil, .bool(true)?:
            return .some(nil)
        case .bool(false)?:
            return nil
        case let .string(name)?:
            guard let kind = SurveyKind(rawValue: name), rules.current.rules.surveys?.kinds[kind] != nil else {
                let configured = rules.current.rules.surveys.map { $0.kinds.keys.map(\.rawValue).sorted() } ?? []
                throw APIError(
                    .unprocessableContent, code: "unknown_survey",
                    "field 'survey' must be true, false or a survey kind the rules configure (\(configured.joined(separator: ", ")))")
            }
            return .some(kind)
        default:
            throw APIError.badRequest("field 'survey' must be true, false or a survey kind")
        }
    }

    /// A hand-off's optional `script` (with its `variables`), rendered before anything changes so a bad one
    /// refuses the whole hand-off. `handoff_to` (the new owner's name, or the queue's) and
    /// `handoff_agent_id` (the new owner's id) are filled in unless the agent gives them.
    private func handoffReply(
        _ fields: [String: ActionField], target: HandoffTarget, conversation: Conversation, identity: AccessToken
    ) async throws -> PendingReply? {
        guard let field = fields["script"] else {
            if fields["variables"] != nil { throw APIError.badRequest("field 'variables' is for a hand-off with a 'script'") }
            return nil
        }
        guard case let .string(script) = field, !script.isEmpty else { throw APIError.badRequest("field 'script' must be a script name") }
        var variables: [String: String] = [:]
        switch fields["variables"] {
        case nil: break
        case let .strings(given)?: variables = given
        default: throw APIError.badRequest("field 'variables' must be an object of strings")
        }
        try Self.refuseControls(["script": script])
        for (name, value) in variables { try Self.refuseControls(["variables.\(name)": value]) }
        switch target {
        case let .owner(owner):
            if variables["handoff_to"] == nil {
                variables["handoff_to"] = configuration.tokens.current.first { $0.id == owner }?.name ?? owner
            }
            if variables["handoff_agent_id"] == nil { variables["handoff_agent_id"] = owner }
        case let .queue(queue):
            if variables["handoff_to"] == nil {
                variables["handoff_to"] = rules.current.rules.queue(id: queue)?.name(in: conversation.language) ?? queue
            }
        }
        do {
            let body = try await composer.render(
                script: script, variables: variables, for: conversation, author: identity.id, authorName: identity.name)
            return PendingReply(script: script, body: body, automatic: false)
        } catch let error as SwitchboardError {
            throw APIError(.unprocessableContent, code: error.code.rawValue, error.message + "; nothing was handed off")
        } catch {
            throw APIError.storageUnavailable()
        }
    }

    /// The actions served, by the last segment of their path.
    static let actionKinds: [String: LifecycleAction.Kind] = [
        "assign": .assign, "claim": .claim, "handoff": .handoff, "escalate": .escalate, "wait": .wait,
        "resolve": .resolve, "reopen": .reopen, "close": .close, "notes": .note,
    ]

    /// The body fields each action takes.
    static let actionFieldNames: [LifecycleAction.Kind: Set<String>] = [
        .assign: ["owner", "reason"], .claim: ["reason"], .handoff: ["to_owner", "to_queue", "note", "script", "variables"],
        .escalate: ["level", "reason"], .wait: ["until", "reason"], .resolve: ["resolution", "survey"],
        .reopen: ["reason"], .close: ["reason"], .note: ["text"],
    ]

    /// The token as the lifecycle sees it.
    static func actor(_ identity: AccessToken) -> LifecycleActor {
        let role: LifecycleActor.Role = switch identity.role {
        case .agent: .agent
        case .supervisor: .supervisor
        case .ops: .ops
        }
        return LifecycleActor(id: identity.id, role: role)
    }

    static func refusal(_ refusal: LifecycleRefusal) -> APIError {
        var error = APIError(
            refusal.code == .invalidTransition ? .conflict : .forbidden, code: refusal.code.rawValue, refusal.message)
        error.state = refusal.state.rawValue
        error.allowedActions = refusal.allowedActions.map { actionPath($0) }
        return error
    }

    /// How an action is named in paths and refusals (`notes` for a note).
    static func actionPath(_ kind: LifecycleAction.Kind) -> String {
        kind == .note ? "notes" : kind.rawValue
    }

    static let idempotencyConflict = APIError(
        .conflict, code: "idempotency_conflict", "this Idempotency-Key was already used with a different request")

    static func idempotencyKey(_ request: Request) throws -> String? {
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        if let key, key.isEmpty || key.count > 255 { throw APIError.badRequest("Idempotency-Key must be 1 to 255 characters") }
        return key
    }

    /// A field of an action's body: actions take strings and whole numbers, a hand-off's script its
    /// variables as an object of strings, and a resolution whether to send its survey.
    enum ActionField: Decodable, Equatable {
        case string(String)
        case integer(Int)
        case strings([String: String])
        case bool(Bool)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                self = .string(string)
            } else if let int = try? container.decode(Int.self) {
                self = .integer(int)
            } else if let strings = try? container.decode([String: String].self) {
                self = .strings(strings)
            } else if let bool = try? container.decode(Bool.self) {
                self = .bool(bool)
            } else {
                throw APIError.badRequest("field '\((decoder.codingPath.last?.stringValue ?? "?").excerptForMessage())' must be a string, a whole number, true or false, or an object of strings")
            }
        }
    }

    /// The body's fields: an empty body, or a JSON object of the allowed fields.
    static func actionFields(_ body: Data, request: Request, allowed: Set<String>) throws -> [String: ActionField] {
        guard !body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return [:] }
        try request.requireMediaType(["application/json"])
        let fields: [String: ActionField]
        do {
            fields = try JSONDecoder().decode([String: ActionField].self, from: body)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.badRequest("body must be a JSON object in UTF-8")
        }
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            let known = allowed.isEmpty ? "this action takes no fields" : "it takes \(allowed.sorted().joined(separator: ", "))"
            throw APIError.badRequest("unknown field '\(unknown.excerptForMessage())': \(known)")
        }
        return fields
    }
}
