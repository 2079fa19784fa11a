import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// Refused agent and ops calls leave a trace (access log, one log line per client per minute) and a
/// client that keeps failing is answered 429 unchecked.
@Suite("Refused logins, end to end")
struct RefusedLoginTests {
    static func accessLog(_ parts: Gateway.Parts) async throws -> [String] {
        try await testDatabase(parts.sqlitePath).read { db in
            try Row.fetchAll(db, sql: "SELECT actor, method, path, status, client FROM access_log ORDER BY seq").map {
                "\($0["actor"] as String) \($0["method"] as String) \($0["path"] as String) \($0["status"] as Int) \($0["client"] as String? ?? "nil")"
            }
        }
    }

    @Test("a missing token, a wrong one and a token of the wrong role are recorded with token id when known, client address, path and status")
    func refusalsAreRecorded() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { (client, parts) async throws in
            #expect(try await client.send(.get, "/v1/queues").status == .unauthorized)
            #expect(try await client.send(.get, "/v1/conversations/conv_1?q=secret", token: "a-wrong-token-of-some-length").status == .unauthorized)
            #expect(try await client.send(.post, "/v1/rules/reload", token: GatewayHarness.agentToken).status == .forbidden)
            #expect(try await client.send(.get, "/v1/queues", token: GatewayHarness.agentToken).status == .ok)
            #expect(try await Self.accessLog(parts) == [
                "- GET /v1/queues 401 127.0.0.1",
                "- GET /v1/conversations/conv_1 401 127.0.0.1",
                "alice POST /v1/rules/reload 403 127.0.0.1",
                "alice GET /v1/queues 200 127.0.0.1",
            ])
            let metrics = String(buffer: try await client.send(.get, "/metrics").body)
            #expect(metrics.contains(#"switchboard_auth_rejections_total{reason="invalid"} 1"#))
            #expect(metrics.contains(#"switchboard_auth_rejections_total{reason="missing"} 1"#))
            #expect(metrics.contains(#"switchboard_auth_rejections_total{reason="role"} 1"#))
        }
    }

    @Test("after its failure budget a client gets 429 with Retry-After without its token being checked; those are not written to the access log")
    func repeatedFailuresAreLimited() async throws {
        let harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused", serverExtra: "client_failure_limit: { per_second: 0.01, burst: 5 }")
        try await harness.run { (client, parts) async throws in
            for number in 0..<5 {
                #expect(try await client.send(.get, "/v1/queues", token: "guess-number-\(number)-xxxxxxxx").status == .unauthorized)
            }
            let locked = try await client.send(.get, "/v1/queues", token: "guess-number-5-xxxxxxxx")
            #expect(locked.status == .tooManyRequests)
            #expect(try locked.decode(ErrorAnswer.self).error.code == "too_many_failures")
            #expect(locked.headers[.retryAfter].flatMap(Int.init).map { $0 >= 50 && $0 <= 100 } == true, "\(locked.headers[.retryAfter] ?? "-")")
            // Unchecked: the right token from the same address waits too.
            #expect(try await client.send(.get, "/v1/queues", token: GatewayHarness.agentToken).status == .tooManyRequests)
            // Inbound channels have a budget of their own.
            #expect(try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"a@example.com","text":"hello"}"#).status == .accepted)
            let log = try await Self.accessLog(parts)
            #expect(log.count == 5, "\(log)")
            #expect(log.allSatisfy { $0.hasSuffix(" 401 127.0.0.1") }, "\(log)")
            let metrics = String(buffer: try await client.send(.get, "/metrics").body)
            #expect(metrics.contains(#"switchboard_auth_rejections_total{reason="locked_out"} 2"#))
        }
    }

    @Test("a thousand wrong tokens from one client write one log line, not one each")
    func refusalsAreLoggedOncePerClient() async throws {
        let lines = CapturingLogHandler.Lines()
        var harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused")
        harness.logger = Logger(label: "switchboard-test") { _ in CapturingLogHandler(lines: lines) }
        try await harness.run { (client, parts) async throws in
            var statuses: [HTTPResponse.Status: Int] = [:]
            let started = ContinuousClock.now
            for number in 0..<1000 {
                statuses[try await client.send(.get, "/v1/queues", token: "wrong-token-\(number)-xxxxxxxx").status, default: 0] += 1
            }
            // The default budget: 20 failures, then one more every 10 s.
            #expect(statuses[.unauthorized, default: 0] >= 20, "\(statuses)")
            #expect(statuses[.tooManyRequests, default: 0] >= 900, "\(statuses)")
            #expect(statuses[.unauthorized, default: 0] + statuses[.tooManyRequests, default: 0] == 1000, "\(statuses)")
            let refusals = lines.all.filter { $0.message.contains("refused") }
            // One line per client per window of the budget's refill (10 s): one, however slow the machine, and
            // one more for each further 10 s the thousand requests took.
            let windows = 1 + Int((ContinuousClock.now - started) / .seconds(10))
            #expect((1...windows).contains(refusals.count), "\(refusals.map(\.message)) in \(windows) windows")
            #expect(refusals.first?.metadata["client.address"] == "127.0.0.1")
            #expect(refusals.first?.metadata["http.path"] == "/v1/queues")
            #expect(try await Self.accessLog(parts).count == statuses[.unauthorized])
        }
    }
}
