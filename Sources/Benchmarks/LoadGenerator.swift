import Foundation
import Synchronization

/// Drives an HTTP endpoint on loopback from `connections` threads, each with one kept-alive connection, and
/// records every request's latency. Threads, not tasks: the sockets block, and the cooperative pool must
/// stay free for the server under test running in the same process.
struct LoadGenerator: Sendable {
    struct Result: Sendable {
        var latencies: [Double] = []  // seconds, all requests
        var succeeded = 0
        var failed = 0
        var elapsed: Double = 0
        /// CPU time the whole process (server and generator) spent during the run, user and system.
        var cpuSeconds: Double = 0
        /// CPU time of the generator's own threads: the rest of `cpuSeconds` is the server's.
        var generatorCPUSeconds: Double = 0

        var perSecond: Double { elapsed > 0 ? Double(succeeded) / elapsed : 0 }

        /// For each fraction, the latency below which that share of requests finished, in milliseconds;
        /// the latencies are sorted once for all of them.
        func percentiles(_ fractions: [Double]) -> [Double] {
            guard !latencies.isEmpty else { return fractions.map { _ in 0 } }
            let sorted = latencies.sorted()
            return fractions.map { fraction in
                sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * fraction).rounded(.up)) - 1))] * 1000
            }
        }
    }

    var port: Int
    /// More servers to spread the connections over (connection `n` goes to the `n % count`th of all ports):
    /// several gateways behind one load, as a load balancer spreads it.
    var otherPorts: [Int] = []
    var connections: Int
    var duration: Double
    var maxRequests: Int
    /// Requests per second over all connections, evenly spaced; nil sends as fast as answers come. Paced
    /// latency counts from when a request was due, so a stalled server is not hidden by requests it delayed.
    var rate: Double?
    var succeeds: @Sendable (Int) -> Bool = { (200..<300).contains($0) }

    func run(_ request: @escaping @Sendable (Int) -> LoadRequest) async -> Result {
        let issued = Atomic<Int>(0)
        let collected = Mutex(Result())
        let clock = ContinuousClock()
        let start = clock.now
        let cpuAtStart = Self.processCPUSeconds()
        let deadline = start + .milliseconds(Int64(duration * 1000))
        let group = DispatchGroup()
        for lane in 0..<connections {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                var local = Result()
                let threadCPUAtStart = Self.threadCPUSeconds()
                let ports = [port] + otherPorts
                var connection = LoopbackHTTPConnection(port: ports[lane % ports.count])
                var sent = 0
                while true {
                    var due = clock.now
                    if let rate {
                        let interval = Double(connections) / rate
                        due = start + .milliseconds(Int64((Double(sent) * interval + Double(lane) * interval / Double(connections)) * 1000))
                        if due > clock.now { Thread.sleep(forTimeInterval: (due - clock.now) / .seconds(1)) }
                    }
                    guard clock.now < deadline else { break }
                    let number = issued.add(1, ordering: .relaxed).newValue
                    guard number <= maxRequests else { break }
                    sent += 1
                    let ok: Bool
                    do {
                        ok = succeeds(try connection.perform(request(number)))
                    } catch {
                        ok = false
                    }
                    if ok { local.succeeded += 1 } else { local.failed += 1 }
                    local.latencies.append((clock.now - due) / .seconds(1))
                }
                local.generatorCPUSeconds = Self.threadCPUSeconds() - threadCPUAtStart
                collected.withLock { total in
                    total.latencies += local.latencies
                    total.succeeded += local.succeeded
                    total.failed += local.failed
                    total.generatorCPUSeconds += local.generatorCPUSeconds
                }
            }
            thread.start()
        }
        await withCheckedContinuation { continuation in
            group.notify(queue: .global()) { continuation.resume() }
        }
        var result = collected.withLock { $0 }
        result.elapsed = (clock.now - start) / .seconds(1)
        result.cpuSeconds = Self.processCPUSeconds() - cpuAtStart
        return result
    }

    /// User and system CPU time of this process so far. On a saturated machine, CPU per request says
    /// more than requests per second, which moves with whatever else the machine runs.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// CPU time of the calling thread so far (its connection's sends and receives run on it).
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1_000_000_000
    }
}
