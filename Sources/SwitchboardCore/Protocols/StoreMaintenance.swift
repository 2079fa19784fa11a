import Foundation

/// The store's records kept for audit and their retention: the access log and the purge.
public protocol StoreMaintenance: Sendable {
    /// Appends one authenticated call to the access log.
    func recordAccess(_ record: AccessRecord) async throws

    /// Removes, in short transactions, messages, final outbox entries and events from before `before`,
    /// conversations left with nothing (and no reply still pending), and access records from before
    /// `accessLogBefore`. A reply still waiting for delivery keeps its conversation.
    func purge(before: Date, accessLogBefore: Date) async throws -> PurgeCounts
}
