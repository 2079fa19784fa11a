import Foundation
import GRDB
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing


@Suite("Hostile input, end to end")
struct HostileInputTests {
    @Test("a source over its rate gets 429 with Retry-After before its body is read; other sources keep going")
    func rateLimit() async throws {
        let harness = try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused",
            extraSources: """
                  - { id: limited, channel: webhook, inbound_signature: { scheme: none }, rate_limit: { per_second: 0.002, burst: 3 } }
                """)
        try await harness.run { (client, _) async throws in
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: String?
            for number in 0..<5 {
                let response = try await client.send(.post, "/v1/inbound/webhook/limited", json: #"{"from":"flood@example.com","text":"hello \#(number)"}"#)
                statuses.append(response.status)
                if response.status == .tooManyRequests { retryAfter = response.headers[.retryAfter] }
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == .accepted }, "\(statuses)")
            #expect(statuses.suffix(2).allSatisfy { $0 == .tooManyRequests }, "\(statuses)")
            // One token every 500 s: the wait it names is most of that, however slowly the requests went.
            #expect(retryAfter.flatMap(Int.init).map { $0 >= 250 && $0 <= 500 } == true, "\(retryAfter ?? "-")")
            #expect(try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"calm@example.com","text":"hello"}"#).status == .accepted)
            let metrics = String(buffer: try await client.send(.get, "/metrics").body)
            #expect(metrics.contains(#"switchboard_inbound_rejections_total{source="limited",reason="rate_limited"} 2"#))
        }
    }

    @Test("deep nesting, invalid UTF-8 and oversized headers are refused with a clear error, nothing stored")
    func malformedRequests() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { (client, parts) async throws in
            let deep = #"{"from":"a@example.com","text":"hi","extra":"# + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}"
            let nested = try await client.send(.post, "/v1/inbound/webhook/demo", json: deep)
            #expect(nested.status == .badRequest)
            #expect(String(buffer: nested.body).contains("deeper than 32"))
            // Brackets inside strings are text, not nesting.
            let quoted = #"{"from":"a@example.com","text":"# + "\"" + String(repeating: "[", count: 200) + "\"}"
            #expect(try await client.send(.post, "/v1/inbound/webhook/demo", json: quoted).status == .accepted)

            var invalid = ByteBuffer(string: #"{"from":"a@example.com","text":"caf"#)
            invalid.writeBytes([0xC3, 0x28, 0xFF])
            invalid.writeString(#""}"#)
            let badUTF8 = try await client.execute(uri: "/v1/inbound/webhook/demo", method: .post, headers: [.contentType: "application/json"], body: invalid)
            #expect(badUTF8.status == .badRequest)
            #expect(String(buffer: badUTF8.body).contains("UTF-8"))

            let huge = try await client.execute(
                uri: "/v1/inbound/webhook/demo", method: .post,
                headers: [.contentType: "application/json", HTTPField.Name("X-Padding")!: String(repeating: "x", count: 20_000)],
                body: ByteBuffer(string: #"{"from":"a@example.com","text":"padded"}"#))
            #expect(!(200..<300).contains(huge.status.code), "a 20 KB header must not be accepted: \(huge.status)")

            let texts = try await testDatabase(parts.sqlitePath).read { db in try String.fetchAll(db, sql: "SELECT text FROM messages") }
            #expect(texts.count == 1)
        }
    }

    @Test("a client that stops sending mid-request is disconnected after the idle timeout")
    func slowClient() async throws {
        let harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused", serverExtra: "idle_timeout: 1s")
        try await harness.run { (client, _) async throws in
            let port = try #require(client.port)
            let connection = try RawConnection(port: port)
            connection.send("POST /v1/inbound/webhook/demo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"from\"")
            let started = ContinuousClock.now
            while !connection.closedByServer, ContinuousClock.now - started < .seconds(5) {
                await connection.read(waiting: 5000)
            }
            let waited = ContinuousClock.now - started
            // Closed by the server well before our own 5 s limit.
            #expect(connection.closedByServer)
            #expect(waited < .seconds(4), "the stalled connection was kept open for \(waited)")
        }
    }
}
