import Foundation
import SwitchboardCore

/// The store's side of agents' actions on conversations: it applies what ``ConversationLifecycle``
/// decides, with the audit events, in one transaction, and decides nothing itself.
public protocol LifecycleStore: Sendable {
    /// Applies one action to one conversation (see ``LifecycleCommand``).
    func perform(_ command: LifecycleCommand) async throws -> LifecycleCommandResult

    /// Gives `actor` the unowned conversation of `queue` that is due first (earliest deadline first, then
    /// the oldest), atomically: concurrent claims never get the same conversation. `maxOpen` caps the
    /// conversations the actor may own that are not resolved or closed; nil for no cap.
    ///
    /// - Parameters:
    ///   - sources: the sources the actor may see; nil for every source.
    ///   - idempotencyKey: a retried claim with the same key answers the conversation the first one got.
    func claimNext(
        queue: String, actor: LifecycleActor, maxOpen: Int?, sources: Set<String>?, at: Date, idempotencyKey: String?
    ) async throws -> QueueClaimResult

    /// The conversation's SLA clock logs, each in the order written; empty for a store kept without
    /// ``ClockRules``.
    func clockLogs(conversationID: String) async throws -> [ClockKind: [ClockEvent]]
}
