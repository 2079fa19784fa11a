import Foundation

/// One running gateway as the shared store knows it: written at start and on every heartbeat, so operators
/// see which nodes run, since when, and on which rules.
public struct GatewayNode: Sendable, Equatable, Codable {
    /// Unique per process start: the host name, the process id and a random part.
    public var id: String
    /// Where the node listens (`host:port`), as it learned once its server was up.
    public var address: String
    public var startedAt: Date
    public var heartbeatAt: Date
    /// The build of Switchboard it runs.
    public var version: String
    /// The version (content hash) of the rules it serves.
    public var rulesVersion: String

    public init(id: String, address: String, startedAt: Date, heartbeatAt: Date, version: String, rulesVersion: String) {
        self.id = id
        self.address = address
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.version = version
        self.rulesVersion = rulesVersion
    }
}
