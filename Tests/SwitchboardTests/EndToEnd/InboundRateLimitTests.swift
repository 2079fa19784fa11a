import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// A source that proves its requests spends its rate budget only on requests whose proof holds; failed
/// proofs spend the client's own failure budget instead.
@Suite("Inbound rate limits and signatures, end to end")
struct InboundRateLimitTests {
    static let kannelSecret = "kannel-inbound-secret-0001"

    /// A signed webhook source with a budget of three requests, and a Kannel source with the same.
    static func harness(serverExtra: String = "") throws -> GatewayHarness {
        try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused",
            extraSources: """
                  - id: tight
                    channel: webhook
                    inbound_signature: { scheme: standard-webhooks, secret: { env: TEST_INBOUND_SECRET } }
                    rate_limit: { per_second: 0.01, burst: 3 }
                  - id: kan
                    channel: sms
                    number: "10690000"
                    default_country_code: "86"
                    rate_limit: { per_second: 0.01, burst: 3 }
                    kannel:
                      sendsms_url: http://127.0.0.1:9/cgi-bin/sendsms
                      username: switchboard
                      password: { env: TEST_KANNEL_PASSWORD }
                      inbound_secret: { env: TEST_KANNEL_SECRET }
                """,
            environment: ["TEST_KANNEL_PASSWORD": "kannel-password-0001", "TEST_KANNEL_SECRET": kannelSecret],
            serverExtra: serverExtra)
    }

    static func body(_ number: Int) -> String { #"{"from":"shop-customer@example.com","text":"order \#(number)"}"# }

    @Test("unsigned junk to a signed source is refused 401 without spending its budget: the real sender still gets in, until its own requests spend it")
    func junkDoesNotSpendTheSourceBudget() async throws {
        try await Self.harness().run { (client, _) async throws in
            for number in 0..<5 {
                let junk = try await client.send(.post, "/v1/inbound/webhook/tight", json: Self.body(number))
                #expect(junk.status == .unauthorized, "junk request \(number)")
            }
            var statuses: [HTTPResponse.Status] = []
            for number in 0..<4 {
                let body = Self.body(100 + number)
                statuses.append(try await client.send(.post, "/v1/inbound/webhook/tight", json: body, headers: signedHeaders(body)).status)
            }
            // Three genuine requests fit the burst; the fourth is over the source's rate.
            #expect(statuses == [.accepted, .accepted, .accepted, .tooManyRequests])
            let metrics = String(buffer: try await client.send(.get, "/metrics").body)
            #expect(metrics.contains(#"switchboard_inbound_rejections_total{source="tight",reason="signature"} 5"#))
            #expect(metrics.contains(#"switchboard_inbound_rejections_total{source="tight",reason="rate_limited"} 1"#))
        }
    }

    @Test("the same holds for an SMS source: wrong Kannel secrets do not spend the source's budget")
    func wrongSecretsDoNotSpendTheSMSBudget() async throws {
        try await Self.harness().run { (client, _) async throws in
            let query = "from=8613700137000&to=10690000&text=hello&coding=0&charset=UTF-8&smsc=op"
            for number in 0..<5 {
                let wrong = try await client.execute(uri: "/v1/inbound/sms/kan?secret=guess-\(number)&\(query)&id=j\(number)", method: .get, headers: [:], body: nil)
                #expect(wrong.status == .forbidden)
            }
            let genuine = try await client.execute(uri: "/v1/inbound/sms/kan?secret=\(Self.kannelSecret)&\(query)&id=real-1", method: .get, headers: [:], body: nil)
            #expect(genuine.status == .ok)
        }
    }

    @Test("a client over its failure budget gets 429 with Retry-After before its body is read, even with a valid signature; unsigned sources are not affected")
    func clientFailureBudget() async throws {
        try await Self.harness(serverExtra: "client_failure_limit: { per_second: 0.01, burst: 4 }").run { (client, _) async throws in
            for number in 0..<4 {
                #expect(try await client.send(.post, "/v1/inbound/webhook/tight", json: Self.body(number)).status == .unauthorized)
            }
            let locked = try await client.send(.post, "/v1/inbound/webhook/tight", json: Self.body(9))
            #expect(locked.status == .tooManyRequests)
            #expect(try locked.decode(ErrorAnswer.self).error.code == "too_many_failures")
            #expect(locked.headers[.retryAfter].flatMap(Int.init).map { $0 >= 50 && $0 <= 100 } == true, "\(locked.headers[.retryAfter] ?? "-")")
            // Unchecked: a genuine request from this client is refused too, and an oversized body is not read
            // (it would be 413 otherwise).
            let body = Self.body(10)
            #expect(try await client.send(.post, "/v1/inbound/webhook/tight", json: body, headers: signedHeaders(body)).status == .tooManyRequests)
            let oversized = #"{"from":"a@example.com","text":"\#(String(repeating: "x", count: 8000))"}"#
            #expect(try await client.send(.post, "/v1/inbound/webhook/tight", json: oversized).status == .tooManyRequests)
            // The budget is the client's for proofs only: an unsigned source still takes its messages.
            #expect(try await client.send(.post, "/v1/inbound/webhook/demo", json: Self.body(11)).status == .accepted)
            let metrics = String(buffer: try await client.send(.get, "/metrics").body)
            #expect(metrics.contains(#"switchboard_inbound_rejections_total{source="tight",reason="client_failures"} 3"#))
        }
    }

    @Test("client_failure_limit is checked like a rate limit")
    func configuration() throws {
        let base = """
            tokens: []
            sources: []
            server: { client_failure_limit: LIMIT }
            """
        #expect(try Fixtures.configurationProblems(base.replacingOccurrences(of: "LIMIT", with: "{ per_second: 0.5, burst: 10 }"), environment: [:]).isEmpty)
        #expect(try Fixtures.configurationProblems(base.replacingOccurrences(of: "LIMIT", with: "{ per_second: 0 }"), environment: [:]).isEmpty)
        let problems = try Fixtures.configurationProblems(base.replacingOccurrences(of: "LIMIT", with: "{ per_second: fast }"), environment: [:])
        #expect(problems.contains { $0.contains("per_second must be a number") }, "\(problems)")
    }
}
