import Foundation
import Hummingbird
import SwitchboardCore

/// Supervisors' and ops' view of the shared outbox: `GET /v1/outbox` and `POST /v1/outbox/{id}/{retry|cancel}`
/// (and a supervisor's `approve|reject` of a held reply, see `API+Approvals.swift`).
extension API {
    func listOutbox(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var status: OutboxStatus?
        if let text = query.get("status") {
            guard let value = OutboxStatus(rawValue: text) else {
                throw APIError.badRequest(
                    "parameter 'status' must be one of \(OutboxStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = value
        }
        var limit = 50
        if let text = query.get("limit") {
            guard let value = Int(text), (1...200).contains(value) else { throw APIError.badRequest("parameter 'limit' must be a whole number from 1 to 200") }
            limit = value
        }
        var before: PageCursor?
        if let text = query.get("before") {
            guard let cursor = PageCursor(text: text) else { throw APIError.badRequest("parameter 'before' is not a cursor this API returned (take it from 'next')") }
            before = cursor
        }
        let identity = context.identity
        let page = try await store.outboxEntries(status: status, before: before, limit: limit, sources: identity?.sources)
        var entries: [OutboxEntry] = []
        for entry in page.entries where try await isVisible(entry, to: identity) { entries.append(entry) }
        return try JSONBody.response(OutboxPage(entries: entries, next: page.next?.text))
    }

    /// A page of the outbox: the entries and the cursor of the next page, absent on the last.
    struct OutboxPage: Encodable {
        var entries: [OutboxEntry]
        var next: String?
    }

    func operateOutbox(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        guard let identity = context.identity else { throw APIError.unauthorized }
        let id = context.parameters.get("id") ?? ""
        let name = context.parameters.get("operation") ?? ""
        let decision = ApprovalDecision(rawValue: name)
        guard decision != nil || OutboxOperation(rawValue: name) != nil else {
            throw APIError.notFound("no outbox operation '\(name.excerptForMessage())'; the operations are approve, cancel, reject, retry")
        }
        guard let entry = try await store.outboxEntry(id: id), try await isVisible(entry, to: identity) else {
            throw APIError.notFound("outbox entry '\(id.excerptForMessage())' does not exist")
        }
        guard let operation = OutboxOperation(rawValue: name) else {
            return try await decideApproval(decision!, entry: entry, request: request, context: context, identity: identity)
        }
        switch try await store.operateOutbox(id: entry.id, operation, actor: identity.id, now: now()) {
        case let .applied(updated):
            // A retried entry is due now; the dispatcher takes it at its next poll.
            return try JSONBody.response(updated)
        case let .refused(current):
            var error = APIError(
                .conflict, code: "invalid_outbox_state",
                "an entry that is \(current.rawValue) cannot be \(operation == .retry ? "retried" : "cancelled")")
            error.state = current.rawValue
            return try error.response(from: request, context: context)
        case .notFound:
            throw APIError.notFound("outbox entry '\(id.excerptForMessage())' does not exist")
        }
    }
}
