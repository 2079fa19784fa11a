import HummingbirdCore
import Logging
import Metrics
import NIOCore

/// HTTP/1.1 as Hummingbird serves it, with two limits of our own on every connection: how long one
/// request may take to arrive (``RequestDeadlineHandler``) and how many connections may be open at
/// once (``ConnectionCapHandler``).
///
/// Hummingbird's idle timeout only closes a connection that goes silent; a client sending a byte a
/// second is never silent, and a hundred of them held a hundred connections for as long as they liked.
public struct GuardedHTTP1Channel: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value

    /// The limits, shared by every connection of one server.
    public struct Limits: Sendable {
        /// How long a request may take from its first byte to its end.
        public var requestTimeout: TimeAmount
        /// How many connections may be open at once; one more is answered 503 and closed.
        public var maxConnections: Int

        public init(requestTimeout: TimeAmount, maxConnections: Int) {
            self.requestTimeout = requestTimeout
            self.maxConnections = maxConnections
        }
    }

    let http: HTTP1Channel
    let limits: Limits
    let connections: OpenConnections
    let metricsFactory: any MetricsFactory

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // Both handlers go first, where they see the bytes themselves: the HTTP decoder hands nothing on
        // until a header section is complete, and a slow header section is as much a hold as a slow body.
        let deadline = RequestDeadlineHandler(timeout: limits.requestTimeout, metricsFactory: metricsFactory)
        do {
            try channel.pipeline.syncOperations.addHandlers(
                ConnectionCapHandler(connections: connections, metricsFactory: metricsFactory), deadline)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        // The end of a request is only known after decoding: this one sits behind the decoder and tells the deadline.
        var configuration = http.configuration
        let extra = configuration.additionalChannelHandlers
        let end = NIOLoopBound(RequestEndHandler(deadline: deadline), eventLoop: channel.eventLoop)
        configuration.additionalChannelHandlers = { extra() + [end.value] }
        return HTTP1Channel(responder: http.responder, configuration: configuration).setup(channel: channel, logger: logger)
    }

    public func handle(value: Value, logger: Logger) async {
        await http.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with a request deadline and a connection cap (see ``GuardedHTTP1Channel``).
    public static func guardedHTTP1(
        configuration: HTTP1Channel.Configuration, limits: GuardedHTTP1Channel.Limits, metricsFactory: any MetricsFactory
    ) -> HTTPServerBuilder {
        let connections = OpenConnections(limit: limits.maxConnections)
        return HTTPServerBuilder { responder in
            GuardedHTTP1Channel(
                http: HTTP1Channel(responder: responder, configuration: configuration), limits: limits, connections: connections,
                metricsFactory: metricsFactory)
        }
    }
}
