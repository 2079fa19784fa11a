import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A real HTTP endpoint on 127.0.0.1 that plays a customer's system receiving replies: it answers
/// with a scripted sequence of statuses and records every request.
final class ReplyReceiver: Sendable {
    struct Received: Sendable {
        var headers: [String: String]
        var body: Data
    }

    private struct State {
        var statuses: [Int]
        var received: [Received] = []
        var slowFirst: Duration?
        /// Whether the stalled first request has been answered.
        var stalledAnswered = false
    }

    private let state: Mutex<State>
    private let server = LoopbackServer()

    /// The port it listens on, once started.
    var port: Int { server.port }

    /// - Parameters:
    ///   - statuses: the status of each request in turn; after the list runs out, 200.
    ///   - slowFirst: how long the first request waits for its answer (a receiver that stalls).
    init(statuses: [Int] = [], slowFirst: Duration? = nil) {
        state = Mutex(State(statuses: statuses, slowFirst: slowFirst))
    }

    var received: [Received] { state.withLock { $0.received } }

    /// Whether the request held by `slowFirst` has had its answer yet.
    var stalledAnswered: Bool { state.withLock { $0.stalledAnswered } }

    var url: String { "http://127.0.0.1:\(port)/replies" }

    func start() async throws {
        let router = Router()
        router.post("replies") { request, _ -> Response in
            var body = Data()
            for try await chunk in request.body { body.append(contentsOf: chunk.readableBytesView) }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let (status, delay) = self.state.withLock { state -> (Int, Duration?) in
                state.received.append(Received(headers: headers, body: body))
                defer { state.slowFirst = nil }
                return (state.statuses.isEmpty ? 200 : state.statuses.removeFirst(), state.slowFirst)
            }
            if let delay {
                try await Task.sleep(for: delay)
                self.state.withLock { $0.stalledAnswered = true }
            }
            return Response(status: .init(code: status))
        }
        await server.start(router, label: "reply-receiver")
    }

    func stop() async {
        await server.stop()
    }
}
