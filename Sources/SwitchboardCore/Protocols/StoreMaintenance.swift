import Foundation

/// The store's records kept for audit and their retention: the access log and the purge.
public protocol StoreMaintenance: Sendable {
    /// Appends one authenticated call to the access log.
    func recordAccess(_ record: AccessRecord) async throws

    /// Removes, in short transactions, messages, final outbox entries and events from before `before`,
    /// conversations left with nothing (and no reply still pending), and access records from before
    /// `accessLogBefore`. A reply still waiting for delivery keeps its conversation. Files go with their
    /// messages; an agent's upload from before `uploadsBefore` goes once no remaining reply carries it; a
    /// file's bytes go once nothing refers to them.
    func purge(before: Date, accessLogBefore: Date, uploadsBefore: Date) async throws -> PurgeCounts

    /// Throws unless the store answers a read now. A load balancer's readiness probe calls it, so a node
    /// that lost its database is taken out of rotation rather than sent requests it can only refuse.
    func checkReady() async throws
}

extension StoreMaintenance {
    /// How long an upload no reply took is kept: a day, for a draft being written.
    public static var uploadGrace: TimeInterval { 24 * 3600 }

    /// The purge, with uploads kept for ``uploadGrace`` before now.
    public func purge(before: Date, accessLogBefore: Date) async throws -> PurgeCounts {
        try await purge(before: before, accessLogBefore: accessLogBefore, uploadsBefore: Date().addingTimeInterval(-Self.uploadGrace))
    }
}
