import Foundation

/// The lease by which one gateway at a time does a piece of periodic work when several share the store (polls a
/// mailbox, computes the service-level gauges): taken before the work, renewed while it runs, given up at
/// shutdown. A node that dies stops renewing, and another takes the work over once the lease runs out. Leases
/// keep real time, whatever clock the gateway runs on.
public struct PollingLease: Sendable {
    public var registry: any NodeRegistry
    /// This gateway's node id.
    public var node: String
    /// How long a lease lasts unless renewed (default 30 s): the longest a dead node keeps a mailbox.
    public var duration: Duration

    public init(registry: any NodeRegistry, node: String, duration: Duration = .seconds(30)) {
        self.registry = registry
        self.node = node
        self.duration = duration
    }

    /// How often a holder renews it: three times per lease, so one slow renewal does not lose it.
    public var renewEvery: Duration { duration / 3 }

    /// Takes or renews the lease on `name`; whether this node holds it now.
    public func acquire(_ name: String) async throws -> Bool {
        let now = Date()
        return try await registry.acquireLease(name, node: node, now: now, until: now.addingTimeInterval(duration.inSeconds))
    }

    public func release(_ name: String) async {
        try? await registry.releaseLease(name, node: node)
    }
}
