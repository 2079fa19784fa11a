import Foundation
import Hummingbird
import HTTPTypes
import Pipeline
import Digests
import SwitchboardCore

extension API {
    struct QueueView: Encodable {
        var id: String
        var name: String
        var open: Int
        var unassigned: Int
        var dueSoon: Int
        var breached: Int
        /// Past the stored first-response deadline, answered or not: what the first API counted.
        var overdue: Int

        init(id: String, name: String, summary: QueueSummary?) {
            self.id = id
            self.name = name
            open = summary?.open ?? 0
            unassigned = summary?.unassigned ?? 0
            dueSoon = summary?.dueSoon ?? 0
            breached = summary?.breached ?? 0
            overdue = summary?.overdue ?? 0
        }
    }

    /// The queues the caller may see, with the counts of the open conversations it may see: open,
    /// unassigned, due soon (a running clock in its warning window), breached, and overdue.
    func listQueues(context: SwitchboardRequestContext) async throws -> Response {
        let identity = context.identity
        let summaries = Dictionary(
            uniqueKeysWithValues: try await store.queueSummaries(now: now(), sources: identity?.sources).map { ($0.queue, $0) })
        let configured = rules.current.rules.queues
        var views = configured.filter { identity?.covers(queue: $0.id) ?? true }.map { queue in
            QueueView(id: queue.id, name: queue.name(in: "en"), summary: summaries[queue.id])
        }
        // Queues that no longer exist in the rules but still hold conversations stay visible.
        for summary in summaries.values.sorted(by: { $0.queue < $1.queue })
        where !configured.contains(where: { $0.id == summary.queue }) && identity?.covers(queue: summary.queue) ?? true {
            views.append(QueueView(id: summary.queue, name: summary.queue, summary: summary))
        }
        return try JSONBody.response(["queues": views])
    }

    /// A page of a queue's conversations, next deadline first, each with its clocks: what ``queueListing``
    /// reads from the query.
    func listConversations(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        let queue = context.parameters.get("queue") ?? ""
        // Outside the token's queues the queue is answered as if it did not exist.
        guard context.identity?.covers(queue: queue) ?? true else { throw APIError.notFound("queue '\(queue)' not found") }
        let listing = try Self.queueListing(
            request.uri.queryParameters, queue: queue, caller: context.identity?.id, sources: context.identity?.sources, now: now())
        let page = try await store.queuePage(listing)
        // A queue the rules no longer name still lists while it holds open conversations (as in GET /v1/queues),
        // whether or not the filters leave any.
        if page.entries.isEmpty, rules.current.rules.queue(id: queue) == nil,
           try await store.queuePage(QueueListing(queue: queue, sources: listing.sources, limit: 1, now: listing.now)).entries.isEmpty {
            throw APIError.notFound("queue '\(queue.excerptForMessage())' does not exist")
        }
        return try JSONBody.response(QueueConversations(conversations: page.entries, next: page.next?.text))
    }

    /// A page of a queue's conversations: the conversations and the cursor of the next page, absent on the last.
    struct QueueConversations: Encodable {
        var conversations: [QueueEntry]
        var next: String?
    }

    /// `GET /v1/conversations?customer=`: a customer's conversations across sources, newest first.
    func findConversations(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let customer = query.get("customer")?.trimmingWhitespace(), !customer.isEmpty else {
            throw APIError.badRequest("query parameter 'customer' is required: the customer's address or phone number")
        }
        guard customer.count <= 320 else { throw APIError.badRequest("query parameter 'customer' is longer than 320 characters") }
        try Self.refuseControls(["customer": customer])
        var limit = 50
        if let text = query.get("limit") {
            guard let value = Int(text), (1...200).contains(value) else { throw APIError.badRequest("query parameter 'limit' must be a whole number from 1 to 200") }
            limit = value
        }
        let identity = context.identity
        let found = try await store.conversations(customer: customer, limit: limit, sources: identity?.sources)
        // A token limited to some queues sees only the conversations now in them.
        let visible = found.filter { identity?.covers($0) ?? true }
        return try JSONBody.response(["conversations": visible])
    }

    func showConversation(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        var page = try Self.detailPage(request.uri.queryParameters)
        page.at = now()
        // A conversation outside the token's scope is answered exactly as one that does not exist (404, not
        // 403): the caller learns nothing about it, not even that it exists.
        guard let detail = try await store.conversationDetail(id: id, page: page), context.identity?.covers(detail.conversation) ?? true else {
            throw APIError.notFound("conversation '\(id.excerptForMessage())' does not exist")
        }
        return try JSONBody.response(detail)
    }

    /// Reads `limit`, `messages_after`, `outbox_after`, `events_after` and `include=raw`; a value that is
    /// not one of them is a 400 that names its parameter.
    static func detailPage(_ query: Parameters) throws -> ConversationDetailPage {
        var page = ConversationDetailPage()
        if let text = query.get("limit") {
            guard let limit = Int(text), (1...ConversationDetailPage.maximumLimit).contains(limit) else {
                throw APIError.badRequest("parameter 'limit' must be a whole number from 1 to \(ConversationDetailPage.maximumLimit)")
            }
            page.limit = limit
        }
        func cursor(_ name: String) throws -> PageCursor? {
            guard let text = query.get(name) else { return nil }
            guard let cursor = PageCursor(text: text) else {
                throw APIError.badRequest("parameter '\(name)' is not a cursor this API returned (take it from 'next')")
            }
            return cursor
        }
        page.messagesAfter = try cursor("messages_after")
        page.outboxAfter = try cursor("outbox_after")
        page.eventsAfter = try cursor("events_after")
        for include in query.getAll("include") {
            for part in include.split(separator: ",", omittingEmptySubsequences: false) {
                guard part == "raw" else { throw APIError.badRequest("parameter 'include' takes only 'raw'") }
                page.includeRaw = true
            }
        }
        return page
    }

    func showOutboxEntry(context: SwitchboardRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let entry = try await store.outboxEntry(id: id), try await isVisible(entry, to: context.identity) else {
            throw APIError.notFound("outbox entry '\(id.excerptForMessage())' does not exist")
        }
        return try JSONBody.response(entry)
    }

    /// Whether a scoped token may see an outbox entry: by its source, and by its conversation's queue.
    func isVisible(_ entry: OutboxEntry, to identity: AccessToken?) async throws -> Bool {
        guard let identity, identity.isScoped else { return true }
        guard identity.sources?.contains(entry.source) ?? true else { return false }
        guard identity.queues != nil else { return true }
        guard let conversation = try await store.conversation(id: entry.conversationID) else { return false }
        return identity.covers(conversation)
    }

    func postReply(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        guard let identity = context.identity else { throw APIError.unauthorized }
        let idempotencyKey = try Self.idempotencyKey(request)
        try request.requireMediaType(["application/json"])
        let body = try await request.collectBody(limit: configuration.maxBodyBytes)
        let reply = try Self.decodeReply(body)
        // A scoped token may only answer conversations it may see; the others do not exist for it.
        if identity.isScoped {
            guard let conversation = try await store.conversation(id: reply.conversationID), identity.covers(conversation) else {
                throw APIError.notFound("conversation '\(reply.conversationID)' does not exist")
            }
        }
        let composeRequest = ReplyComposer.Request(
            conversationID: reply.conversationID, script: reply.script, variables: reply.variables, text: reply.text,
            author: identity.id, authorName: identity.name, idempotencyKey: idempotencyKey,
            fingerprint: Digest.hex(Digest.sha256(body)), attachmentIDs: reply.attachmentIDs)
        let result: EnqueueResult
        do {
            result = try await composer.compose(composeRequest)
        } catch let error as SwitchboardError {
            switch error.code {
            case .notFound: throw APIError.notFound(error.message)
            default: throw APIError(.unprocessableContent, code: error.code.rawValue, error.message + "; the reply was not queued")
            }
        } catch {
            context.logger.error("reply not committed", metadata: ["error.type": "\(type(of: error))"])
            throw APIError.storageUnavailable()
        }
        switch result {
        case let .created(entry):
            // A held reply is accepted but not queued: it waits for a supervisor (GET /v1/approvals).
            let status: HTTPResponse.Status = entry.status == .awaitingApproval ? .accepted : .created
            return try JSONBody.response(entry, status: status, headers: [.location: "/v1/outbox/\(entry.id)"])
        case let .replayed(entry):
            return try JSONBody.response(entry, status: .ok, headers: [HTTPField.Name("Idempotent-Replayed")!: "true"])
        case .conflict:
            throw Self.idempotencyConflict
        }
    }

    struct ReplyRequest {
        var conversationID: String
        var script: String?
        var variables: [String: String]
        var text: String?
        var attachmentIDs: [String]
    }

    /// Most files one reply carries.
    static let maximumReplyAttachments = 20

    /// Parses `{"conversation_id", "script"? + "variables"?, "text"?, "attachments"?}`; exactly one of script and text.
    static func decodeReply(_ body: Data) throws -> ReplyRequest {
        let decoded = try JSONBody.decode(ReplyBody.self, from: body)
        try refuseControls(["conversation_id": decoded.conversationID, "script": decoded.script, "text": decoded.text])
        for (name, value) in (decoded.variables ?? [:]).sorted(by: { $0.key < $1.key }) {
            try refuseControls(["variables.\(name.excerptForMessage())": value.text])
        }
        guard !decoded.conversationID.isEmpty else { throw APIError.badRequest("field 'conversation_id' must not be empty") }
        guard (decoded.script == nil) != (decoded.text == nil) else {
            throw APIError.badRequest("give exactly one of 'script' (with 'variables') or 'text'")
        }
        if let text = decoded.text, text.trimmingWhitespace().isEmpty {
            throw APIError.badRequest("field 'text' must not be empty")
        }
        if decoded.variables != nil, decoded.script == nil {
            throw APIError.badRequest("'variables' goes with 'script'")
        }
        let attachments = decoded.attachments ?? []
        if attachments.count > maximumReplyAttachments {
            throw APIError.badRequest("field 'attachments' lists \(attachments.count) files; a reply carries at most \(maximumReplyAttachments)")
        }
        if let bad = attachments.firstIndex(where: { $0.isEmpty || $0.count > 64 || $0.contains(where: { !$0.isASCII || $0.isWhitespace }) }) {
            throw APIError.badRequest("attachments[\(bad)] is not an attachment id (from POST /v1/attachments)")
        }
        if Set(attachments).count != attachments.count {
            throw APIError.badRequest("field 'attachments' names a file twice")
        }
        return ReplyRequest(
            conversationID: decoded.conversationID, script: decoded.script,
            variables: (decoded.variables ?? [:]).mapValues(\.text), text: decoded.text, attachmentIDs: attachments)
    }

    struct ReplyBody: Decodable {
        var conversationID: String
        var script: String?
        var variables: [String: Scalar]?
        var text: String?
        var attachments: [String]?

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            let known = ["conversation_id", "script", "variables", "text", "attachments"]
            if let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
                throw APIError.badRequest("unknown field '\(unknown.excerptForMessage())' (expected conversation_id, script, variables, text, attachments)")
            }
            attachments = try container.decodeIfPresent([String].self, forKey: Key(stringValue: "attachments"))
            conversationID = try container.decode(String.self, forKey: Key(stringValue: "conversation_id"))
            script = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "script"))
            variables = try container.decodeIfPresent([String: Scalar].self, forKey: Key(stringValue: "variables"))
            text = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "text"))
        }
    }

    /// A template variable's value: a string, number or boolean, used as text.
    struct Scalar: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                text = string
            } else if let bool = try? container.decode(Bool.self) {
                text = bool ? "true" : "false"
            } else if let int = try? container.decode(Int.self) {
                text = String(int)
            } else if let double = try? container.decode(Double.self) {
                text = String(double)
            } else {
                throw APIError.badRequest("variable '\((decoder.codingPath.last?.stringValue ?? "?").excerptForMessage())' must be a string, number or boolean")
            }
        }
    }
}
