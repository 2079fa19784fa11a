import Foundation

/// What the gateways sharing one store know of each other: which nodes run (heartbeats), and which node
/// polls which mailbox (leases), so that a mailbox is polled by one node at a time and taken over when its
/// node dies.
///
/// Leases are rows with an owner and an expiry rather than database session locks: a session lock does not
/// survive a pooler that hands each transaction another server connection.
public protocol NodeRegistry: Sendable {
    /// Records the node's heartbeat (inserting it the first time), and forgets nodes silent since `forgetBefore`.
    func recordHeartbeat(_ node: GatewayNode, forgetBefore: Date) async throws

    /// Every node the store knows, newest heartbeat first.
    func nodes() async throws -> [GatewayNode]

    /// Takes or renews the lease on `mailbox` for `node` until `until`: granted when nobody holds it, when
    /// its holder's lease ran out before `now`, or when `node` holds it already. Atomic across nodes.
    /// - Returns: whether `node` holds the lease now.
    func acquireLease(_ mailbox: String, node: String, now: Date, until: Date) async throws -> Bool

    /// Gives the lease up, if `node` holds it, so another node need not wait for it to run out.
    func releaseLease(_ mailbox: String, node: String) async throws
}
