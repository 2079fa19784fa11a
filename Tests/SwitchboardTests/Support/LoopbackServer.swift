import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A Hummingbird router served on 127.0.0.1, on a port the system picks: the running part of every HTTP
/// test double (reply receiver, fake SMS operator, fake Twilio API).
final class LoopbackServer: Sendable {
    private struct Running {
        var group: ServiceGroup
        var task: Task<Void, any Error>
    }

    private let running: Mutex<Running?> = Mutex(nil)
    private let boundPort = Mutex(0)

    init() {}

    /// The port it listens on; 0 until started.
    var port: Int { boundPort.withLock { $0 } }

    /// Starts serving `router` and returns once the port is bound.
    func start(_ router: Router<BasicRequestContext>, label: String) async {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: label)
        logger.logLevel = .warning
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(services: [application], logger: logger)
        running.withLock { $0 = Running(group: group, task: Task { try await group.run() }) }
        for await port in stream {
            boundPort.withLock { $0 = port }
            break
        }
    }

    /// Stops listening and waits for the server to end.
    func stop() async {
        guard let current = running.withLock({ $0 }) else { return }
        await current.group.triggerGracefulShutdown()
        _ = try? await current.task.value
    }
}
