import Foundation
import HummingbirdTesting
import Testing

@Suite("Request deadline and connection cap")
struct ConnectionLimitTests {
    static let healthCheck = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    @Test("a request trickled a byte at a time is answered 408 and closed after request_timeout", arguments: [
        // The body trickles.
        ("POST /v1/inbound/webhook/demo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{", "x"),
        // The header section trickles: the HTTP decoder has not seen a request yet.
        ("POST /v1/inbound/webhook/demo HTTP/1.1\r\nHost: 127.0.0.1\r\n", "X-Slow: y\r\n"),
    ])
    func slowRequest(start: String, trickle: String) async throws {
        // The idle timeout is far away: only the request deadline can close this connection in time.
        let harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused", serverExtra: "idle_timeout: 60s, request_timeout: 1s")
        try await harness.run { client, _ in
            let connection = try RawConnection(port: try #require(client.port))
            #expect(connection.send(start))
            // A byte every 100 ms for at most 20 s, well inside the idle timeout, until the server closes.
            for _ in 0..<200 where !connection.closedByServer {
                connection.send(trickle)
                await connection.read(waiting: 100)
            }
            await connection.read(waiting: 1000)
            #expect(connection.closedByServer, "the slow request was still open after 20 s")
            #expect(connection.text.hasPrefix("HTTP/1.1 408"), "got: \(connection.text.prefix(100))")
            #expect(connection.text.contains(#""code":"request_timeout""#))
        }
    }

    @Test("the deadline covers a request, not the quiet time between requests on a kept-alive connection")
    func keptAliveConnection() async throws {
        let harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused", serverExtra: "idle_timeout: 60s, request_timeout: 1s")
        try await harness.run { client, _ in
            let connection = try RawConnection(port: try #require(client.port))
            #expect(connection.send(Self.healthCheck))
            await connection.readResponse()
            #expect(connection.text.hasPrefix("HTTP/1.1 200"))
            connection.clear()
            // Longer than request_timeout with no request under way.
            try await Task.sleep(for: .milliseconds(1500))
            #expect(connection.send(Self.healthCheck))
            await connection.readResponse()
            #expect(connection.text.hasPrefix("HTTP/1.1 200"), "got: \(connection.text.prefix(100))")
        }
    }

    @Test("with max_connections open, one more connection is answered 503 and closed; a freed slot is served again")
    func connectionCap() async throws {
        // Three: the test client's own connection and two of ours.
        let harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused", serverExtra: "max_connections: 3")
        try await harness.run { client, _ in
            #expect(try await client.send(.get, "/healthz").status == .ok)
            let port = try #require(client.port)
            var held: [RawConnection] = []
            for _ in 0..<2 {
                let connection = try RawConnection(port: port)
                #expect(connection.send(Self.healthCheck))
                await connection.readResponse()
                #expect(connection.text.hasPrefix("HTTP/1.1 200"), "got: \(connection.text.prefix(100))")
                held.append(connection)
            }

            let extra = try RawConnection(port: port)
            extra.send(Self.healthCheck)
            await extra.readResponse()
            await extra.read(waiting: 2000)
            #expect(extra.closedByServer)
            #expect(!extra.text.contains("200 OK"))
            // The 503 may be lost to the reset that closing an unread socket causes; when it arrives, it says why.
            if !extra.text.isEmpty {
                #expect(extra.text.hasPrefix("HTTP/1.1 503"))
                #expect(extra.text.contains(#""code":"too_many_connections""#))
            }
            // The connections already open are served as before.
            held[1].clear()
            #expect(held[1].send(Self.healthCheck))
            await held[1].readResponse()
            #expect(held[1].text.hasPrefix("HTTP/1.1 200"))

            held.removeFirst()
            #expect(try await eventually {
                let connection = try RawConnection(port: port)
                connection.send(Self.healthCheck)
                await connection.readResponse(within: 2)
                return connection.text.hasPrefix("HTTP/1.1 200")
            })
        }
    }
}
