import NIOCore
import NIOHTTPTypes

/// Tells the ``RequestDeadlineHandler`` in front of the decoder where each request starts and ends,
/// as only the decoded parts show.
final class RequestEndHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let deadline: RequestDeadlineHandler

    init(deadline: RequestDeadlineHandler) {
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        // A pipelined request can arrive whole in the same read as the one before it ended: its head starts the clock.
        case .head: deadline.requestStarted()
        case .body: break
        case .end: deadline.requestEnded()
        }
        context.fireChannelRead(data)
    }
}
