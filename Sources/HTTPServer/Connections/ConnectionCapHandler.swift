import Metrics
import NIOCore

/// Answers a connection over the server's limit with 503 and closes it, before it can read anything.
///
/// Refusing at once (rather than leaving it in the listen backlog) tells the client straight away, and
/// keeps what the connections already open are doing unaffected.
final class ConnectionCapHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let connections: OpenConnections
    private let metricsFactory: any MetricsFactory
    private var counted = false
    private var refused = false

    init(connections: OpenConnections, metricsFactory: any MetricsFactory) {
        self.connections = connections
        self.metricsFactory = metricsFactory
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard !counted else { return }
        counted = true
        refused = !connections.opened()
        let connections = self.connections
        context.channel.closeFuture.whenComplete { _ in connections.closed() }
        if refused, context.channel.isActive { refuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if refused {
            refuse(context)
        } else {
            context.fireChannelActive()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        context.fireChannelRead(data)
    }

    private func refuse(_ context: ChannelHandlerContext) {
        Counter(label: "switchboard_connections_closed_total", dimensions: [("reason", "too_many_connections")], factory: metricsFactory)
            .increment()
        context.writeAndFlush(
            NIOAny(RawHTTPResponse.error(
                status: "503 Service Unavailable", code: "too_many_connections",
                message: "the server has as many connections open as it allows; try again shortly", allocator: context.channel.allocator)),
            promise: nil)
        context.close(promise: nil)
    }
}
