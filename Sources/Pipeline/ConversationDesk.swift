import Conversations
import Foundation
import Logging
import Metrics
import Rules
import SwitchboardCore

/// Agents' and supervisors' actions on conversations: assigning, claiming, handing off, escalating,
/// waiting, resolving, reopening, closing, notes. The lifecycle table decides and the store applies it in
/// one transaction; the desk adds what only the rules know (where an escalation level sends a
/// conversation) and the time, from an injected clock so tests move it instead of sleeping.
public struct ConversationDesk: Sendable {
    private let store: any LifecycleStore & ConversationQueries
    private let rules: RuleBook
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let metricsFactory: any MetricsFactory

    /// - Parameter now: the clock actions are stamped with.
    public init(
        store: any LifecycleStore & ConversationQueries, rules: RuleBook, now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger, metricsFactory: any MetricsFactory
    ) {
        self.store = store
        self.rules = rules
        self.now = now
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// The conversation's SLA clock logs, each in the order written: what the clocks' deadlines are
    /// computed from, for an agent who wants to see why a deadline is where it is.
    public func clockLogs(conversationID: String) async throws -> [ClockKind: [ClockEvent]] {
        try await store.clockLogs(conversationID: conversationID)
    }

    /// Whether the rules define a queue of this id: a hand-off may only name one of them.
    public func queueExists(_ id: String) -> Bool {
        rules.current.rules.queue(id: id) != nil
    }

    /// Applies `action` to the conversation (see ``LifecycleStore/perform(_:)``), with a message to the
    /// customer queued in the same transaction when there is one, and a resolution's survey.
    ///
    /// - Parameter conversation: the conversation as the caller read it; the store reads it again in its
    ///   transaction and decides on that. Only its start is taken from here (an escalation's deadline counts
    ///   from it, and it never changes).
    public func perform(
        _ action: LifecycleAction, on conversation: Conversation, by actor: LifecycleActor, reason: String?,
        idempotencyKey: String?, fingerprint: String?, reply: PendingReply? = nil, survey: ScheduledSurvey? = nil
    ) async throws -> LifecycleCommandResult {
        let conversationID = conversation.id
        var placement: LifecycleCommand.Placement?
        if case let .escalate(level) = action {
            placement = self.placement(for: level, startedAt: conversation.createdAt)
        }
        let result = try await store.perform(LifecycleCommand(
            conversationID: conversationID, action: action, actor: actor, reason: reason, placement: placement, at: now(),
            idempotencyKey: idempotencyKey, fingerprint: fingerprint, reply: reply, survey: survey))
        count(action.kind, result)
        return result
    }

    /// Gives the actor the next conversation of the queue (see ``LifecycleStore/claimNext``).
    public func claimNext(
        queue: String, actor: LifecycleActor, maxOpen: Int?, sources: Set<String>?, idempotencyKey: String?
    ) async throws -> QueueClaimResult {
        let result = try await store.claimNext(
            queue: queue, actor: actor, maxOpen: maxOpen, sources: sources, at: now(), idempotencyKey: idempotencyKey)
        let outcome = switch result {
        case .claimed: "applied"
        case .empty: "empty"
        case .atCapacity: "at_capacity"
        case .idempotencyConflict: "idempotency_conflict"
        }
        Counter(label: "switchboard_lifecycle_actions_total", dimensions: [("action", "claim_next"), ("outcome", outcome)], factory: metricsFactory)
            .increment()
        return result
    }

    /// Where the rules send a conversation escalated to `level`: the queue, the policy and its deadline
    /// counted from the conversation's start, or nil when `routes.yaml` names nothing for the level (the
    /// conversation stays in its queue, its priority raised).
    private func placement(for level: EscalationLevel, startedAt start: Date) -> LifecycleCommand.Placement? {
        let rules = rules.current.rules
        guard let route = rules.escalation(level: level.value) else {
            logger.notice("no escalation route for this level; the conversation keeps its queue", metadata: ["escalation.level": "\(level.value)"])
            return nil
        }
        var due: Date?
        if let policy = rules.slaPolicies[route.slaPolicy] { due = rules.firstResponseDue(policy, receivedAt: start) }
        return LifecycleCommand.Placement(queue: route.queue, slaPolicy: route.slaPolicy, priority: route.priority, slaDueAt: due)
    }

    private func count(_ action: LifecycleAction.Kind, _ result: LifecycleCommandResult) {
        let outcome = switch result {
        case .applied: "applied"
        case .replayed: "replayed"
        case let .refused(refusal): refusal.code.rawValue
        case .idempotencyConflict: "idempotency_conflict"
        case .notFound: "not_found"
        }
        Counter(label: "switchboard_lifecycle_actions_total", dimensions: [("action", action.rawValue), ("outcome", outcome)], factory: metricsFactory)
            .increment()
    }
}
