import Digests
import Foundation
import Hummingbird
import Metrics
import Pipeline
import SwitchboardCore

/// Compensation approval (`approval.yaml`): `GET /v1/approvals`, the replies held for a supervisor, and
/// `POST /v1/outbox/{id}/{approve|reject}`, a supervisor's decision.
extension API {
    func listApprovals(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var limit = 50
        if let text = query.get("limit") {
            guard let value = Int(text), (1...200).contains(value) else { throw APIError.badRequest("parameter 'limit' must be a whole number from 1 to 200") }
            limit = value
        }
        var after: PageCursor?
        if let text = query.get("after") {
            guard let cursor = PageCursor(text: text) else { throw APIError.badRequest("parameter 'after' is not a cursor this API returned (take it from 'next')") }
            after = cursor
        }
        let identity = context.identity
        let page = try await store.heldReplies(after: after, limit: limit, sources: identity?.sources)
        var approvals: [HeldReply] = []
        for entry in page.entries where try await isVisible(entry, to: identity) {
            if let held = HeldReply(entry) { approvals.append(held) }
        }
        return try JSONBody.response(ApprovalPage(approvals: approvals, next: page.next?.text))
    }

    /// A held reply as a supervisor decides on it: what it says, who wrote it, and why it waits.
    struct HeldReply: Encodable {
        var id: String
        var conversationID: String
        var channel: String
        var source: String
        var script: String?
        var body: String
        var author: String
        var createdAt: Date
        var amount: String
        var reason: String
        var expiresAt: Date
        var contentSha256: String

        init?(_ entry: OutboxEntry) {
            guard let hold = entry.approval else { return nil }
            id = entry.id
            conversationID = entry.conversationID
            channel = entry.channel.rawValue
            source = entry.source
            script = entry.script
            body = entry.body
            author = entry.author
            createdAt = entry.createdAt
            amount = hold.amount
            reason = hold.reason.rawValue
            expiresAt = hold.expiresAt
            contentSha256 = hold.contentSHA256
        }
    }

    /// A page of held replies, oldest first, and the cursor of the next page (`after`), absent on the last.
    struct ApprovalPage: Encodable {
        var approvals: [HeldReply]
        var next: String?
    }

    /// `approve` or `reject` on an entry the caller may see (checked by ``operateOutbox(_:context:)``).
    func decideApproval(
        _ decision: ApprovalDecision, entry: OutboxEntry, request: Request, context: SwitchboardRequestContext, identity: AccessToken
    ) async throws -> Response {
        // Approving compensation is a supervisor's call: ops run the outbox but do not approve what it promises.
        guard identity.role == .supervisor else {
            throw APIError(.forbidden, code: "forbidden", "only a supervisor may approve or reject a held reply")
        }
        let body = try await Self.decisionBody(request, maxBytes: configuration.maxBodyBytes)
        switch try await store.decideApproval(
            id: entry.id, decision, actor: identity.id, note: body.note, expectedSHA256: body.contentSHA256, now: now()
        ) {
        case let .applied(updated):
            Counter(
                label: ReplyComposer.approvalsLabel, dimensions: [("outcome", decision == .approve ? "approved" : "rejected")],
                factory: metricsFactory
            ).increment()
            context.logger.notice(decision == .approve ? "held reply approved" : "held reply rejected", metadata: [
                "outbox.id": "\(updated.id)", "conversation.id": "\(updated.conversationID)",
            ])
            // An approved entry is due now: the dispatcher's poll takes it at once.
            return try JSONBody.response(updated)
        case .selfApproval:
            throw APIError(.forbidden, code: "self_approval", "a supervisor cannot approve or reject a reply they wrote")
        case .contentChanged:
            throw APIError(.conflict, code: "content_changed", "the held reply is not the one approved: its content_sha256 differs")
        case let .expired(expired):
            // Too late: the hold ran out before the decision (and before the timer noticed).
            Counter(label: ReplyComposer.approvalsLabel, dimensions: [("outcome", "expired")], factory: metricsFactory).increment()
            return try Self.invalidState(expired.status, decision, request: request, context: context)
        case let .refused(current):
            return try Self.invalidState(current, decision, request: request, context: context)
        case .notFound:
            throw APIError.notFound("outbox entry '\(entry.id.excerptForMessage())' does not exist")
        }
    }

    /// 409 `invalid_outbox_state`, naming the entry's state, as a refused retry or cancel answers.
    static func invalidState(
        _ current: OutboxStatus, _ decision: ApprovalDecision, request: Request, context: SwitchboardRequestContext
    ) throws -> Response {
        var error = APIError(
            .conflict, code: "invalid_outbox_state",
            "an entry that is \(current.rawValue) cannot be \(decision == .approve ? "approved" : "rejected")")
        error.state = current.rawValue
        return try error.response(from: request, context: context)
    }

    struct DecisionBody {
        var note: String?
        var contentSHA256: String?
    }

    /// `{"note"?, "content_sha256"?}`; an empty body is none of them.
    static func decisionBody(_ request: Request, maxBytes: Int) async throws -> DecisionBody {
        let data = try await request.collectBody(limit: maxBytes)
        guard !data.isEmpty else { return DecisionBody() }
        try request.requireMediaType(["application/json"])
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError.badRequest("body must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !["note", "content_sha256"].contains($0) }) {
            throw APIError.badRequest("unknown field '\(unknown.excerptForMessage())' (expected note, content_sha256)")
        }
        var body = DecisionBody()
        if let value = object["note"], !(value is NSNull) {
            guard let note = value as? String else { throw APIError.badRequest("field 'note' must be a string") }
            guard note.count <= maxActionText else {
                throw APIError(.unprocessableContent, code: "field_too_long", "field 'note' is longer than \(maxActionText) characters")
            }
            try refuseControls(["note": note])
            body.note = note.trimmingWhitespace().isEmpty ? nil : note
        }
        if let value = object["content_sha256"], !(value is NSNull) {
            guard let hash = value as? String, hash.utf8.count == 64, Digest.bytes(fromHex: hash) != nil else {
                throw APIError.badRequest("field 'content_sha256' must be 64 hexadecimal digits")
            }
            body.contentSHA256 = hash.lowercased()
        }
        return body
    }
}
