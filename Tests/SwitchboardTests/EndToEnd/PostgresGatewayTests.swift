import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import PostgresStorage
import StrictYAML
import SwitchboardCore
import TestSupport
import Testing

@Suite("The gateway on PostgreSQL")
struct PostgresGatewayTests {
    @Test("a customer's message is committed, routed and acknowledged; an agent claims it and replies, and the reply is delivered")
    func wholeLoop() async throws {
        let cluster = try await TestPostgres.shared()
        try await cluster.withDatabase { settings in
            let receiver = ReplyReceiver()
            try await receiver.start()
            try await stopping(receiver) {
                try await GatewayHarness(replyURL: receiver.url, postgres: settings).run { client, parts in
                    #expect(parts.store is PostgresMessageStore)
                    let posted = try await client.send(
                        .post, "/v1/inbound/webhook/demo",
                        json: #"{"from":"wang@example.com","text":"我的订单三天了还没发货，订单号 A123","external_id":"pg-1"}"#)
                    #expect(posted.status == .accepted)
                    let acceptance = try posted.decode(WebhookAcceptance.self)
                    // The same message again is recognised as the one already stored.
                    let again = try await client.send(
                        .post, "/v1/inbound/webhook/demo",
                        json: #"{"from":"wang@example.com","text":"我的订单三天了还没发货，订单号 A123","external_id":"pg-1"}"#)
                    #expect(try again.decode(WebhookAcceptance.self).duplicate)

                    let page = try await client.send(.get, "/v1/conversations/\(acceptance.conversationID)", token: GatewayHarness.agentToken)
                        .decode(ConversationPage.self)
                    #expect(page.messages.count == 1)
                    #expect(page.messages.first?.classification != nil)
                    #expect(try await eventually { receiver.received.count == 1 })

                    let claimed = try await client.send(
                        .post, "/v1/conversations/\(acceptance.conversationID)/claim", token: GatewayHarness.agentToken)
                    #expect(claimed.status == .ok)
                    let reply = try await client.send(
                        .post, "/v1/outbox", json: #"{"conversation_id":"\#(acceptance.conversationID)","text":"明天送到。"}"#,
                        token: GatewayHarness.agentToken)
                    #expect(reply.status == .created)
                    #expect(try await eventually { receiver.received.count == 2 })
                    let delivered = try APIAnswers.decode(ReplyPayload.self, from: try #require(receiver.received.last).body)
                    #expect(delivered.text == "明天送到。")
                }
            }
        }
    }

    @Test("two gateways on one database: one at a time computes the service-level gauges; when it stops, the other takes them over")
    func serviceLevelsOnOneNode() async throws {
        let cluster = try await TestPostgres.shared()
        try await cluster.withDatabase { settings in
            let time = ManualTime(ManualTime.workingMorning)
            func harness() throws -> GatewayHarness {
                var harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused", postgres: settings)
                harness.deliverReplies = false
                harness.timerClock = { time.value }
                harness.serviceLevelInterval = .milliseconds(200)
                return harness
            }
            // Any conversation of the window gives an escalation ratio (of 0); a gateway without the figures has none.
            let computed = #"switchboard_escalation_ratio{queue="all"} 0"#
            @Sendable func metrics(_ client: any TestClientProtocol) async throws -> String {
                String(buffer: try await client.send(.get, "/metrics").body)
            }
            let (firstReady, ready) = AsyncStream.makeStream(of: Void.self)
            let (stopSignal, stop) = AsyncStream.makeStream(of: Void.self)
            let first = try harness()
            let firstGateway = Task {
                // Should the first gateway fail, the test goes on (and fails) rather than waiting for it forever.
                defer { ready.finish() }
                try await first.run { client, _ in
                    let posted = try await client.send(
                        .post, "/v1/inbound/webhook/demo", json: #"{"from":"gauge@example.com","text":"请问发票怎么开？","external_id":"gauge-1"}"#)
                    #expect(posted.status == .accepted)
                    // The window ends at the clock's time, excluded.
                    time.value = time.value.addingTimeInterval(60)
                    #expect(try await eventually { try await metrics(client).contains(computed) })
                    ready.yield()
                    for await _ in stopSignal {}
                }
            }
            for await _ in firstReady { break }
            try await harness().run { client, _ in
                // Ten refreshes of the first gateway's: the second never computes while the first holds the lease.
                try await Task.sleep(for: .seconds(2))
                #expect(try await !metrics(client).contains(computed))
                stop.finish()
                try await firstGateway.value
                // Given up at the first's shutdown, the lease passes at the second's next refresh.
                #expect(try await eventually { try await metrics(client).contains(computed) })
            }
        }
    }

    @Test("a wrong password stops the gateway at start with an error that says so and never shows the password")
    func wrongPassword() async throws {
        let cluster = try await TestPostgres.shared()
        try await cluster.withDatabase { settings in
            var wrong = settings
            wrong.password = "not-the-password-\(UUID().uuidString)"
            let harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/", postgres: wrong)
            do {
                try await harness.run { _, _ in Issue.record("the gateway started with a wrong password") }
            } catch let error as PostgresStorageError {
                #expect(error.code == .authenticationFailed)
                #expect(!error.description.contains(wrong.password))
                #expect(error.description.contains(settings.username))
            }
        }
    }

    @Test("the database URL is a secret, and a URL the gateway cannot use is refused without repeating it")
    func urlProblems() throws {
        let inline = try GatewayHarnessConfiguration.problems(storage: "postgres: { url: postgres://u:s3cret@db/x }")
        #expect(inline.contains { $0.contains("storage.postgres.url is a secret") })
        let tls = try GatewayHarnessConfiguration.problems(
            storage: "postgres: { url: { env: URL } }", environment: ["URL": "postgres://u:s3cret@db:5432/x?sslmode=sometimes"])
        #expect(tls.contains { $0.contains("sslmode 'sometimes' is not one of") })
        let root = try GatewayHarnessConfiguration.problems(
            storage: "postgres: { url: { env: URL } }",
            environment: ["URL": "postgres://u:s3cret@db:5432/x?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem"])
        #expect(root.contains { $0.contains("sslrootcert file /nonexistent/ca.pem cannot be read") })
        let noDatabase = try GatewayHarnessConfiguration.problems(
            storage: "postgres: { url: { env: URL } }", environment: ["URL": "postgres://u:s3cret@db:5432"])
        #expect(noDatabase.contains { $0.contains("names no database") })
        for problem in inline + tls + root + noDatabase { #expect(!problem.contains("s3cret")) }
        let pool = try GatewayHarnessConfiguration.problems(
            storage: "postgres: { url: { env: URL }, pool: 0 }", environment: ["URL": "postgres://u:p@db/x"])
        #expect(pool.contains { $0.contains("pool must be 1 to 1000") })
    }

    @Test("a URL's parts are read, percent-encoding included")
    func urlParts() throws {
        let settings = try PostgresSettings(url: "postgresql://switch%40board:p%2Fw@db.internal:6432/support?sslmode=disable", poolSize: 4)
        #expect(settings.username == "switch@board")
        #expect(settings.password == "p/w")
        #expect(settings.host == "db.internal")
        #expect(settings.port == 6432)
        #expect(settings.database == "support")
        #expect(settings.poolSize == 4)
        #expect(settings.tls == .disable)
        #expect(!settings.description.contains("p/w"))
        // sslmode as libpq reads it, but in the clear when none is given.
        let modes: [(String, PostgresSettings.TLS)] = [
            ("", .disable), ("?sslmode=prefer", .prefer), ("?sslmode=require", .require),
            ("?sslmode=require&sslrootcert=system", .verify(rootCertificate: nil, hostName: false)),
            ("?sslmode=verify-ca", .verify(rootCertificate: nil, hostName: false)),
            ("?sslmode=verify-full&sslrootcert=system", .verify(rootCertificate: nil, hostName: true)),
        ]
        for (query, tls) in modes {
            #expect(try PostgresSettings(url: "postgres://u:p@db/x" + query).tls == tls, "\(query)")
        }
    }

    @Test("TLS to the database: verify-full with the authority that signed the server's certificate connects encrypted; another authority is refused, saying so; require encrypts without checking")
    func tls() async throws {
        let cluster = try await TestPostgres.shared()
        try await cluster.withDatabase { plain in
            let base = "postgres://\(plain.username):\(plain.password)@127.0.0.1:\(plain.port)/\(plain.database)"
            @Sendable func encrypted(_ settings: PostgresSettings) async throws -> Bool {
                try await TestPostgres.withClient(settings) { client in
                    let rows = try await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                    for try await ssl in rows.decode(Bool.self) { return ssl }
                    return false
                }
            }
            let verified = try PostgresSettings(url: base + "?sslmode=verify-full&sslrootcert=\(cluster.certificateAuthority)")
            #expect(try await encrypted(verified))
            try await verified.verify(logger: TestPostgres.logger)
            #expect(try await encrypted(try PostgresSettings(url: base + "?sslmode=require")))
            #expect(try await !encrypted(try PostgresSettings(url: base + "?sslmode=disable")))

            // An authority that never signed the server's certificate.
            let stranger = try PostgresSettings(url: base + "?sslmode=verify-full&sslrootcert=\(cluster.otherAuthority)")
            do {
                try await stranger.verify(logger: TestPostgres.logger)
                Issue.record("a server certificate no trusted authority signed was taken")
            } catch let error as PostgresStorageError {
                #expect(error.code == .unreachable)
                #expect(error.description.contains("TLS failed (a server certificate no trusted authority signed"), "\(error)")
                #expect(!error.description.contains(plain.password))
            }
        }
    }
}

/// Reads a minimal configuration with the given `storage:` body and returns its problems' messages.
enum GatewayHarnessConfiguration {
    static func problems(storage: String, environment: [String: String] = [:]) throws -> [String] {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let yaml = "storage: { \(storage) }\n"
        try Fixtures.write(["switchboard.yaml": yaml], under: directory)
        let result = Result { try GatewayConfiguration.load(path: directory.appendingPathComponent("switchboard.yaml").path, environment: environment) }
        guard case let .failure(error) = result else { return [] }
        return ((error as? Problems)?.problems ?? []).map(\.message)
    }
}
