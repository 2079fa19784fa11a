import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core storage, the peer's address and the
/// authenticated caller.
public struct SwitchboardRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``BearerAuthMiddleware`` before any handler runs.
    public var identity: AccessToken?
    /// The TCP peer of the connection (behind a reverse proxy: the proxy).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address without its port, the key of per-client limits and what the access log
    /// records; `unknown` when the connection has none (a Unix socket).
    public var clientAddress: String {
        remoteAddress?.ipAddress ?? "unknown"
    }
}
