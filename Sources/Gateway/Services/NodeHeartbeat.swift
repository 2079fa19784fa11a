import Channels
import Foundation
import Logging
import Metrics
import Pipeline
import ServiceLifecycle
import SwitchboardCore

/// Writes this gateway's heartbeat to the shared store every ``GatewayNode/heartbeatInterval`` (its address,
/// build and rules version), and keeps `switchboard_nodes_live` and `switchboard_rules_version_mismatch` on
/// `/metrics` from what every node wrote. Heartbeats keep real time, whatever clock the gateway runs on.
public final class NodeHeartbeat: Service {
    /// This process's node id.
    public let nodeID: String
    private let store: any NodeRegistry
    private let rules: RuleBook
    private let address: PublicAddress
    private let startedAt = Date()
    private let logger: Logger
    private let live: Gauge
    private let mismatch: Gauge

    public init(nodeID: String, store: any NodeRegistry, rules: RuleBook, address: PublicAddress, logger: Logger, metricsFactory: any MetricsFactory) {
        self.nodeID = nodeID
        self.store = store
        self.rules = rules
        self.address = address
        self.logger = logger
        live = Gauge(label: "switchboard_nodes_live", factory: metricsFactory)
        mismatch = Gauge(label: "switchboard_rules_version_mismatch", factory: metricsFactory)
    }

    /// A fresh node id: the host, the process and a random part, so a restarted process is a new node.
    public static func makeNodeID() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "node"
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(String(UInt16.random(in: .min ... .max), radix: 16))"
    }

    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await beat()
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(GatewayNode.heartbeatInterval)) }
        }
    }

    /// Writes one heartbeat and refreshes the gauges from every node's.
    func beat() async {
        let now = Date()
        let node = GatewayNode(
            id: nodeID, address: address.base, startedAt: startedAt, heartbeatAt: now, version: Gateway.version,
            rulesVersion: rules.current.rules.version)
        do {
            // A node silent for a day is forgotten; until then it is listed as gone.
            try await store.recordHeartbeat(node, forgetBefore: now.addingTimeInterval(-86_400))
            let nodes = try await store.nodes()
            live.record(nodes.filter { $0.isLive(at: now) }.count)
            mismatch.record(GatewayNode.rulesVersionMismatch(nodes, at: now) ? 1 : 0)
        } catch {
            logger.warning("node heartbeat not written", metadata: ["node.id": "\(nodeID)", "error": "\(error)"])
        }
    }
}
