import Foundation
import Hummingbird
import StrictYAML
import SwitchboardCore

/// The query of `GET /v1/queues/{queue}/conversations`.
extension API {
    /// Reads `state`, `owner`, `breached`, `due_within`, `limit` and `cursor`; a value that is not one of
    /// them is a 400 that names its parameter.
    /// - Parameters:
    ///   - caller: the token id `owner=me` stands for.
    ///   - sources: the token's sources, when it is limited to some.
    static func queueListing(
        _ query: Parameters, queue: String, caller: String?, sources: Set<String>?, now: Date
    ) throws -> QueueListing {
        var listing = QueueListing(queue: queue, sources: sources, now: now)
        let stateTexts = query.getAll("state").flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        if !stateTexts.isEmpty {
            var states: Set<ConversationState> = []
            for text in stateTexts {
                guard let state = ConversationState(rawValue: String(text)) else {
                    throw APIError.badRequest(
                        "parameter 'state' takes lifecycle states separated by commas: \(ConversationState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                states.insert(state)
            }
            listing.states = states
        }
        if let text = query.get("owner") {
            switch text {
            case "me":
                guard let caller else { throw APIError.badRequest("parameter 'owner=me' needs a token that names an agent") }
                listing.owner = .agent(caller)
            case "none":
                listing.owner = .nobody
            default:
                guard !text.isEmpty, text.utf8.count <= 200, !text.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 32 } == true }) else {
                    throw APIError.badRequest("parameter 'owner' must be 'me', 'none' or an agent's token id")
                }
                listing.owner = .agent(text)
            }
        }
        if let text = query.get("breached") {
            switch text {
            case "true": listing.breached = true
            case "false": listing.breached = false
            default: throw APIError.badRequest("parameter 'breached' must be true or false")
            }
        }
        if let text = query.get("due_within") {
            // Whole seconds, or a duration such as 30m or 1h30m.
            guard let seconds = Double(text).flatMap({ $0 >= 0 && $0.isFinite && text.allSatisfy(\.isASCII) ? $0 : nil })
                    ?? DurationText.seconds(text, allowingZero: true),
                  seconds <= 366 * 86_400 else {
                throw APIError.badRequest("parameter 'due_within' must be seconds or a duration such as 30m or 2h, at most a year")
            }
            listing.dueWithin = seconds
        }
        if let text = query.get("limit") {
            guard let limit = Int(text), (1...QueueListing.maximumLimit).contains(limit) else {
                throw APIError.badRequest("parameter 'limit' must be a whole number from 1 to \(QueueListing.maximumLimit)")
            }
            listing.limit = limit
        }
        if let text = query.get("cursor") {
            guard let cursor = QueueCursor(text: text) else {
                throw APIError.badRequest("parameter 'cursor' is not a cursor this API returned (take it from 'next')")
            }
            listing.after = cursor
        }
        return listing
    }
}
