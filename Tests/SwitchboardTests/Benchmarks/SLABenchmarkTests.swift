import Benchmarks
import Foundation
import Testing

@Suite("SLA benchmark")
struct SLABenchmarkTests {
    @Test("a small run seeds real clocks, fires the warnings it makes due, lists a page and claims, with a baseline beside each")
    func smallRun() async throws {
        let report = try await SLABenchmark.run(
            .init(conversations: 400, queues: 4, ticks: 3, duePerTick: 5, claims: 20, agents: 4, rounds: 2)) { _ in }
        #expect(report.conversations == 400 && report.queueSize == 100)
        // Two clocks a conversation (first response and resolution), each with a timer.
        #expect(report.clockTimers == 800)
        #expect(report.rows.map(\.name) == [
            "timer tick, nothing due", "timer tick, 5 warnings due", "first page (50) of a 100-conversation queue, with clocks",
            "queue counts (GET /v1/queues, the gauges) over all open",
            "claims by 4 concurrent agents",
        ])
        #expect(report.rows.allSatisfy { $0.value > 0 && $0.baseline > 0 })
    }
}
