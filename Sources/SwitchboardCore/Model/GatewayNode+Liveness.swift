import Foundation

extension GatewayNode {
    /// How often a node writes its heartbeat.
    public static let heartbeatInterval: TimeInterval = 10
    /// A node whose last heartbeat is older than this counts as gone: three missed heartbeats.
    public static let liveWithin: TimeInterval = 3 * heartbeatInterval

    /// Whether the node beat within ``liveWithin`` of `now`.
    public func isLive(at now: Date) -> Bool {
        now.timeIntervalSince(heartbeatAt) <= Self.liveWithin
    }

    /// Whether the live nodes among `nodes` serve more than one version of the rules: after a deploy, the first
    /// thing an operator checks.
    public static func rulesVersionMismatch(_ nodes: [GatewayNode], at now: Date) -> Bool {
        Set(nodes.filter { $0.isLive(at: now) }.map(\.rulesVersion)).count > 1
    }
}
