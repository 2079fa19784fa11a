import Metrics
import NIOCore

/// Closes a connection whose request has not arrived in full within `timeout` of its first byte:
/// with 408 when nothing has been answered yet, otherwise just closed.
///
/// It sits in front of the HTTP decoder and starts the clock on the first byte of a request, so a
/// header section sent slowly counts as much as a body; ``RequestEndHandler``, behind the decoder,
/// stops it when the request's end arrives. The time the application takes to answer is not counted.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let timeout: TimeAmount
    private let metricsFactory: any MetricsFactory
    private var context: ChannelHandlerContext?
    /// When the running request's first byte arrived; nil between requests.
    private var requestStart: NIODeadline?
    /// Armed for the running request's deadline, or a past one: a request that ends leaves it armed, and
    /// when it fires it re-arms for whatever request runs then. A kept-alive connection so pays for one
    /// timer per `timeout`, not one per request, which on a busy server was a timer armed and cancelled
    /// for every message.
    private var timer: Scheduled<Void>?
    /// Whether anything was written since the running request began: then a 408 would corrupt the answer.
    private var wroteSinceStart = false

    init(timeout: TimeAmount, metricsFactory: any MetricsFactory) {
        self.timeout = timeout
        self.metricsFactory = metricsFactory
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        requestStarted()
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        wroteSinceStart = true
        context.write(data, promise: promise)
    }

    /// Starts the clock unless a request is already running: bytes of a request that arrive after its
    /// first change nothing.
    func requestStarted() {
        guard requestStart == nil else { return }
        let start = NIODeadline.now()
        requestStart = start
        wroteSinceStart = false
        if timer == nil { arm(at: start + timeout) }
    }

    /// The request arrived in full; bytes after this belong to the next one.
    func requestEnded() {
        requestStart = nil
    }

    private func arm(at deadline: NIODeadline) {
        guard let context else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            guard let requestStart else { return }
            let deadline = requestStart + timeout
            if NIODeadline.now() >= deadline { expired() } else { arm(at: deadline) }
        }
    }

    private func expired() {
        guard let context, context.channel.isActive else { return }
        Counter(label: "switchboard_connections_closed_total", dimensions: [("reason", "request_timeout")], factory: metricsFactory).increment()
        if !wroteSinceStart {
            context.writeAndFlush(
                NIOAny(IOData.byteBuffer(RawHTTPResponse.error(
                    status: "408 Request Timeout", code: "request_timeout",
                    message: "the request did not arrive in full in time", allocator: context.channel.allocator))),
                promise: nil)
        }
        context.close(promise: nil)
    }
}
