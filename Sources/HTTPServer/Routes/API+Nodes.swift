import Foundation
import Hummingbird
import SwitchboardCore

extension API {
    struct NodeView: Encodable {
        var id: String
        var address: String
        var startedAt: Date
        var heartbeatAt: Date
        var version: String
        var rulesVersion: String
        /// Beat within the last three heartbeat intervals.
        var live: Bool
    }

    struct NodeList: Encodable {
        var nodes: [NodeView]
        /// Live nodes serve different rules.
        var rulesVersionMismatch: Bool
    }

    /// `GET /v1/nodes` (ops): every gateway sharing the store, newest heartbeat first, and whether the live
    /// ones serve the same rules. Heartbeats are judged on real time, as they are written.
    func listNodes() async throws -> Response {
        let nodes = try await store.nodes()
        let now = Date()
        return try JSONBody.response(NodeList(
            nodes: nodes.map {
                NodeView(
                    id: $0.id, address: $0.address, startedAt: $0.startedAt, heartbeatAt: $0.heartbeatAt, version: $0.version,
                    rulesVersion: $0.rulesVersion, live: $0.isLive(at: now))
            },
            rulesVersionMismatch: GatewayNode.rulesVersionMismatch(nodes, at: now)))
    }
}
