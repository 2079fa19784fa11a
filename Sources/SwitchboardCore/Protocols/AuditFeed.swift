/// The audit trail read in the order it was written, for the live event stream: every gateway sharing a
/// store sees every other's changes, because they all write the one trail.
public protocol AuditFeed: Sendable {
    /// Up to `limit` events with a sequence number above `sequence`, in sequence order.
    func auditEvents(after sequence: Int64, limit: Int) async throws -> [FeedEvent]
    /// The highest sequence number written so far; 0 when the trail is empty.
    func latestAuditSequence() async throws -> Int64
}
