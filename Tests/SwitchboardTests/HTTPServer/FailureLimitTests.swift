import Foundation
@testable import HTTPServer
import Testing

@Suite("Per-client failure budgets and refusal logging")
struct FailureLimitTests {
    @Test("a client that spends its failure budget is locked out with a wait; other clients are not")
    func budget() {
        let limiter = ClientFailureLimiter(limit: .init(perSecond: 0.01, burst: 3))
        #expect(limiter.lockout(client: "10.0.0.1") == nil)
        for _ in 0..<3 {
            #expect(limiter.lockout(client: "10.0.0.1") == nil)
            limiter.charge(client: "10.0.0.1")
        }
        let wait = limiter.lockout(client: "10.0.0.1")
        #expect(wait.map { $0 > 50 && $0 <= 100 } == true, "\(wait ?? -1)")
        #expect(limiter.lockout(client: "10.0.0.2") == nil)
    }

    @Test("the budget refills at its rate")
    func refill() async throws {
        let limiter = ClientFailureLimiter(limit: .init(perSecond: 20, burst: 1))
        limiter.charge(client: "c")
        #expect(limiter.lockout(client: "c") != nil)
        try await Task.sleep(for: .milliseconds(200))
        #expect(limiter.lockout(client: "c") == nil)
    }

    @Test("no limit, or per_second 0, never locks anyone out")
    func unlimited() {
        for limiter in [ClientFailureLimiter(limit: nil), ClientFailureLimiter(limit: .init(perSecond: 0, burst: 1))] {
            for _ in 0..<100 { limiter.charge(client: "c") }
            #expect(limiter.lockout(client: "c") == nil)
        }
    }

    @Test("refusals are logged once per client per interval, the next line carrying how many were left out")
    func throttledLog() async throws {
        let log = RefusalLog(interval: .milliseconds(100))
        #expect(log.admit(client: "a") == 0)
        for _ in 0..<9 { #expect(log.admit(client: "a") == nil) }
        #expect(log.admit(client: "b") == 0)
        try await Task.sleep(for: .milliseconds(150))
        #expect(log.admit(client: "a") == 9)
        #expect(log.admit(client: "a") == nil)
    }
}
