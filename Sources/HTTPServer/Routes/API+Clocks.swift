import Foundation
import Hummingbird
import SwitchboardCore

/// `GET /v1/conversations/{id}/clocks`: the SLA clocks as they stand, and the log they are computed from.
extension API {
    /// One entry of a clock's log as the API shows it.
    struct ClockLogEntry: Encodable {
        var clock: String
        var at: Date
        /// `started`, `paused`, `resumed`, `fulfilled`, `warned`, `breached` or `retargeted`.
        var action: String
        /// For `started` and `retargeted`: the policy and the working seconds it allows.
        var policy: String?
        var targetSeconds: Double?
        var calendar: String?
        /// For `retargeted`: whether the working time already elapsed carried over.
        var carriesOver: Bool?
        /// For `paused`: why.
        var reason: String?

        init(clock: ClockKind, event: ClockEvent) {
            self.clock = clock.rawValue
            at = event.at
            action = event.action.name
            switch event.action {
            case let .started(target):
                (policy, targetSeconds, calendar) = (target.policy, target.seconds, target.calendar)
            case let .retargeted(target, carriesOver):
                (policy, targetSeconds, calendar, self.carriesOver) = (target.policy, target.seconds, target.calendar, carriesOver)
            case let .paused(reason):
                self.reason = reason
            case .resumed, .fulfilled, .warned, .breached:
                break
            }
        }
    }

    struct ClocksView: Encodable {
        var clocks: [ClockSummary]
        /// Every clock's log, oldest first (clocks in their order at the same instant).
        var log: [ClockLogEntry]
    }

    func showClocks(context: SwitchboardRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        // Outside the token's scope the conversation is answered as one that does not exist.
        guard let conversation = try await store.conversation(id: id), context.identity?.covers(conversation) ?? true else {
            throw APIError.notFound("conversation '\(id.excerptForMessage())' does not exist")
        }
        let logs = try await desk.clockLogs(conversationID: conversation.id)
        let log = ClockKind.allCases.flatMap { kind in (logs[kind] ?? []).map { (kind, $0) } }
            .enumerated()
            .sorted { ($0.element.1.at, $0.offset) < ($1.element.1.at, $1.offset) }
            .map { ClockLogEntry(clock: $0.element.0, event: $0.element.1) }
        return try JSONBody.response(ClocksView(clocks: try await store.clocks(conversationID: conversation.id, at: now()), log: log))
    }
}
