import Benchmarks
import Curl
import Foundation
import PostgresNIO
import PostgresStorage
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Three gateways on one PostgreSQL", .serialized)
struct MultiNodeTests {
    typealias Child = CrashRecoveryTests.Child

    /// The shipped rules with every SLA clock a few seconds long and on the clock's whole day, so that breaches
    /// fall due while the test runs, whenever it runs.
    static func hurriedRules(in directory: URL) throws -> String {
        let rules = directory.appendingPathComponent("Rules")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: Fixtures.shippedRules), to: rules)
        let sla = rules.appendingPathComponent("sla.yaml")
        let lines = try String(contentsOf: sla, encoding: .utf8).components(separatedBy: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let indent = String(line.prefix { $0 == " " })
            if trimmed.hasPrefix("calendar:") { return nil }
            if trimmed.hasPrefix("warn_before:") { return indent + "warn_before: 2s" }
            if trimmed.hasPrefix("first_response:") { return indent + "first_response: 6s" }
            for clock in ["next_response", "update_every", "resolution", "follow_up"] where trimmed.hasPrefix(clock + ":") {
                return indent + clock + ": 15s"
            }
            return line
        }
        try lines.joined(separator: "\n").write(to: sla, atomically: true, encoding: .utf8)
        return rules.path
    }

    /// Those of `indices` whose log says they took the mailbox over.
    static func pollers(_ nodes: [Child], among indices: [Int]) -> [Int] {
        indices.filter { index in
            ((try? String(contentsOfFile: nodes[index].log, encoding: .utf8)) ?? "").contains("this gateway polls the mailbox now")
        }
    }

    @Test("webhook and mail load on three gateway processes, the mailbox's poller SIGKILLed mid-load: every acknowledged message stored once, every reply delivered (duplicates only with their stable webhook-id), one poller at a time and a takeover, each SLA warning and breach fired once, each node listed")
    func threeNodesOneKilled() async throws {
        guard FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.binary) else {
            Issue.record("\(CrashRecoveryTests.binary) is missing: build it first (`swift build --build-tests` builds it; `make test` does)")
            return
        }
        let cluster = try await TestPostgres.shared()
        try await cluster.withDatabase { settings in
            let receiver = ReplyReceiver()
            try await receiver.start()
            let mail = try await TestMailServers.start()
            defer { mail.stop() }
            try await stopping(receiver) {
                let directory = try Fixtures.temporaryDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let rules = try Self.hurriedRules(in: directory)
                let ports = try (0..<3).map { _ in try LoopbackPort.free() }
                try Fixtures.write(["Config/switchboard.yaml": """
                    server: { host: 127.0.0.1, port: 0 }
                    storage: { postgres: { url: { env: MULTI_DATABASE_URL }, pool: 6 } }
                    tokens:
                      - { id: ops, role: ops, token: { env: MULTI_OPS_TOKEN } }
                    sources:
                      - { id: demo, channel: webhook, reply_url: "\(receiver.url)", reply_secret: { env: MULTI_REPLY_SECRET } }
                      - id: mail
                        channel: email
                        address: support@localhost
                        thread_secret: { env: MULTI_THREAD_SECRET }
                        imap: { url: "imap://127.0.0.1:\(mail.imapPort)", mailbox: INBOX, username: support, password: { env: MULTI_MAIL_PASSWORD }, poll_interval: 200ms, after_import: seen }
                        smtp: { url: "smtp://127.0.0.1:\(mail.smtpPort)", helo_name: switchboard.test }
                    outbox: { max_attempts: 50, initial_backoff: 50ms, max_backoff: 200ms, poll_interval: 50ms, timeout: 2s }
                    """], under: directory)
                let url = "postgres://\(settings.username):\(settings.password)@\(settings.host):\(settings.port)/\(settings.database)"
                let nodes = ports.enumerated().map { index, port in
                    Child(
                        arguments: [
                            "serve", "--config", directory.appendingPathComponent("Config/switchboard.yaml").path, "--rules", rules,
                            "--port", String(port),
                        ],
                        log: directory.appendingPathComponent("node\(index).log").path,
                        environment: [
                            "MULTI_DATABASE_URL": url, "MULTI_OPS_TOKEN": GatewayHarness.opsToken, "MULTI_REPLY_SECRET": GatewayHarness.replySecret,
                            "MULTI_THREAD_SECRET": EmailTests.threadSecret, "MULTI_MAIL_PASSWORD": TestMailServers.password,
                        ])
                }
                @Sendable func count(_ query: PostgresQuery) async throws -> Int {
                    try await TestPostgres.withClient(settings) { database in
                        var value = 0
                        for try await number in try await database.query(query, logger: TestPostgres.logger).decode(Int.self) { value = number }
                        return value
                    }
                }
                @Sendable func sendMail(_ name: String) async throws {
                    try await EmailTests.append(mail, try EmailTests.customerMail(
                        from: "\(name)@localhost", subject: "订单 \(name)", messageID: "<\(name)@customer.test>", text: "我的订单还没到，请尽快处理"))
                }
                // All three start at once: they migrate the empty database together, each migration once.
                for node in nodes { try node.start() }
                defer { for node in nodes { node.kill(SIGKILL) } }
                for (index, port) in ports.enumerated() {
                    #expect(
                        try await eventually(within: 30) { await CrashRecoveryTests.healthy(port: port) },
                        "node \(index) did not start: \(String((try? String(contentsOfFile: nodes[index].log, encoding: .utf8))?.suffix(1500) ?? ""))")
                }

                final class Shared: Sendable {
                    let acknowledged = Mutex<Set<String>>([])
                    let sending = Atomic<Bool>(true)
                }
                let shared = Shared()
                let client = CurlHTTPClient()
                // Three clients, one per node; a client whose node does not answer tries the next, as a load balancer would.
                let clients = Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for lane in 0..<3 {
                            group.addTask {
                                var number = 0
                                var target = lane % 3
                                while shared.sending.load(ordering: .relaxed) {
                                    number += 1
                                    let id = "multi-\(lane)-\(number)"
                                    let body = #"{"from":"lane\#(lane)-\#(number % 30)@example.com","text":"订单\#(number)还没到，请尽快处理","external_id":"\#(id)"}"#
                                    while true {
                                        let response = try? await client.perform(HTTPRequest(
                                            method: "POST", url: "http://127.0.0.1:\(ports[target])/v1/inbound/webhook/demo",
                                            headers: [("content-type", "application/json")], body: Data(body.utf8), timeout: .seconds(5),
                                            connectTimeout: .seconds(1)))
                                        if let response, (200..<300).contains(response.status) {
                                            shared.acknowledged.withLock { _ = $0.insert(id) }
                                            break
                                        }
                                        target = (target + 1) % 3
                                        try await Task.sleep(for: .milliseconds(20))
                                    }
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                // Counted, not timed, so a slow machine proves as much as a fast one: 30 messages before the kill,
                // 30 more after it.
                for number in 0..<3 { try await sendMail("before\(number)") }
                #expect(try await eventually(within: 120) { shared.acknowledged.withLock { $0.count } >= 30 })
                #expect(try await eventually(within: 60) { try await count("SELECT count(*)::bigint FROM messages WHERE channel = 'email' AND direction = 'inbound'") == 3 })
                // One node polls the mailbox; that is the one killed, so another must take it over.
                let poller = Self.pollers(nodes, among: [0, 1, 2])
                #expect(poller.count == 1, "the mailbox should have one poller, the logs name \(poller)")
                let killed = poller.first ?? 1
                let survivors = [0, 1, 2].filter { $0 != killed }
                nodes[killed].kill(SIGKILL)
                let beforeKill = shared.acknowledged.withLock { $0.count }
                for number in 0..<3 { try await sendMail("after\(number)") }
                #expect(try await eventually(within: 120) { shared.acknowledged.withLock { $0.count } >= beforeKill + 30 })
                // Within the lease (30 s) and a look (10 s) of the kill, another node polls it and imports what came since.
                #expect(try await eventually(within: 90) { try await count("SELECT count(*)::bigint FROM messages WHERE channel = 'email' AND direction = 'inbound'") == 6 })
                // The node says so once its first poll is done, which may be a moment after its messages are stored.
                #expect(try await eventually(within: 10) { Self.pollers(nodes, among: survivors).count == 1 }, "one survivor should have taken the mailbox over")
                shared.sending.store(false, ordering: .relaxed)
                try await clients.value

                // Every conversation's first response is missed (nobody answers): the three timers race for each
                // breach, and each clock's warning and breach is recorded once, with its escalation.
                #expect(try await eventually(within: 90) {
                    try await count("""
                        SELECT count(*)::bigint FROM conversations c WHERE NOT EXISTS (SELECT 1 FROM clock_events e
                            WHERE e.conversation_id = c.id AND e.clock = 'first_response' AND e.action = 'breached')
                        """) == 0
                })
                try await TestPostgres.withClient(settings) { database in
                    // Once per target: a customer's chasing raised some conversations to a stricter policy, and a
                    // retargeted clock warns and breaches again for its new deadline.
                    #expect(try await count("""
                        SELECT count(*)::bigint FROM (
                            SELECT e.conversation_id, e.clock, e.action, (SELECT count(*) FROM clock_events r
                                WHERE r.conversation_id = e.conversation_id AND r.clock = e.clock
                                    AND r.action IN ('started', 'retargeted') AND r.seq < e.seq) AS target
                            FROM clock_events e WHERE e.action IN ('warned', 'breached')
                            GROUP BY e.conversation_id, e.clock, e.action, target HAVING count(*) > 1) twice
                        """) == 0, "a warning or a breach was recorded more than once for one target")
                    let breaches = try await count("SELECT count(*)::bigint FROM clock_events WHERE action = 'breached'")
                    #expect(try await count("SELECT count(*)::bigint FROM events WHERE kind = 'sla_breached'") == breaches)
                    #expect(breaches >= 20, "too few breaches to prove anything: \(breaches)")
                    // The outbox drains: entries the killed node had claimed go out again once their lease runs out.
                    #expect(try await eventually(within: 60) { try await count("SELECT count(*)::bigint FROM outbox WHERE status <> 'delivered'") == 0 })

                    let ids = shared.acknowledged.withLock { $0 }
                    #expect(ids.count >= 60, "too few messages got through to prove anything: \(ids.count)")
                    var stored: [String: Int] = [:]
                    let rows = try await database.query(
                        "SELECT external_id, count(*)::bigint FROM messages WHERE direction = 'inbound' GROUP BY external_id", logger: TestPostgres.logger)
                    for try await (id, n) in rows.decode((String, Int).self) { stored[id] = n }
                    let lost = ids.filter { stored[$0] == nil }
                    #expect(lost.isEmpty, "acknowledged but not stored: \(lost.sorted().prefix(10))")
                    #expect(stored.values.allSatisfy { $0 == 1 }, "stored twice: \(stored.filter { $0.value > 1 }.keys.sorted().prefix(10))")

                    var outbox: [String] = []
                    for try await id in try await database.query("SELECT id FROM outbox WHERE channel = 'webhook'", logger: TestPostgres.logger).decode(String.self) {
                        outbox.append(id)
                    }
                    var deliveries: [String: Int] = [:]
                    for request in receiver.received {
                        let webhookID = request.headers["webhook-id"] ?? ""
                        let payload = try APIAnswers.decode(ReplyPayload.self, from: request.body)
                        #expect(payload.id == webhookID, "a delivery's webhook-id must name its outbox entry")
                        deliveries[webhookID, default: 0] += 1
                    }
                    let undelivered = outbox.filter { deliveries[$0] == nil }
                    #expect(undelivered.isEmpty, "outbox entries never received: \(undelivered.prefix(5))")
                    // Each node wrote its heartbeat; the killed one stays listed until it is silent for a day.
                    #expect(try await count("SELECT count(*)::bigint FROM nodes") == 3)
                    print("""
                        multi-node test: \(ids.count) messages acknowledged by 3 gateways (one SIGKILLed), 6 mails, \(breaches) SLA breaches, \(outbox.count) webhook replies, \
                        \(receiver.received.count) deliveries (\(deliveries.values.filter { $0 > 1 }.count) more than once, each with its stable webhook-id)
                        """)
                }
                let listed = try await CurlHTTPClient().perform(HTTPRequest(
                    method: "GET", url: "http://127.0.0.1:\(ports[survivors[0]])/v1/nodes", headers: [("authorization", "Bearer \(GatewayHarness.opsToken)")],
                    timeout: .seconds(5)))
                #expect(listed.status == 200)
                let nodeList = try JSONSerialization.jsonObject(with: listed.body) as? [String: Any]
                #expect((nodeList?["nodes"] as? [Any])?.count == 3)
                #expect(nodeList?["rules_version_mismatch"] as? Bool == false)
                for index in survivors {
                    nodes[index].kill(SIGTERM)
                    #expect(nodes[index].process?.terminationStatus == 0, "SIGTERM should end node \(index) cleanly")
                }
            }
        }
    }

    @Test("while the database refuses a gateway process, messages get 503 with Retry-After, never 202; once it takes the gateway back, the same process accepts them again")
    func databaseGoesAway() async throws {
        guard FileManager.default.isExecutableFile(atPath: CrashRecoveryTests.binary) else {
            Issue.record("\(CrashRecoveryTests.binary) is missing: build it first (`swift build --build-tests` builds it; `make test` does)")
            return
        }
        let cluster = try await TestPostgres.shared()
        try await cluster.withDatabase { settings in
            let directory = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let port = try LoopbackPort.free()
            try Fixtures.write(["Config/switchboard.yaml": """
                server: { host: 127.0.0.1, port: \(port) }
                storage: { postgres: { url: { env: AWAY_DATABASE_URL }, pool: 4 } }
                sources:
                  - { id: demo, channel: webhook, reply_url: "http://127.0.0.1:9/", reply_secret: { env: AWAY_REPLY_SECRET } }
                """], under: directory)
            let node = Child(
                arguments: ["serve", "--config", directory.appendingPathComponent("Config/switchboard.yaml").path, "--rules", Fixtures.shippedRules],
                log: directory.appendingPathComponent("serve.log").path,
                environment: [
                    "AWAY_DATABASE_URL": "postgres://\(settings.username):\(settings.password)@\(settings.host):\(settings.port)/\(settings.database)",
                    "AWAY_REPLY_SECRET": GatewayHarness.replySecret,
                ])
            try node.start()
            defer { node.kill(SIGKILL) }
            #expect(try await eventually(within: 30) { await CrashRecoveryTests.healthy(port: port) })
            let client = CurlHTTPClient()
            @Sendable func post(_ id: String) async -> (status: Int, retryAfter: String?)? {
                let body = #"{"from":"wang@example.com","text":"订单还没到","external_id":"\#(id)"}"#
                guard let response = try? await client.perform(HTTPRequest(
                    method: "POST", url: "http://127.0.0.1:\(port)/v1/inbound/webhook/demo", headers: [("content-type", "application/json")],
                    body: Data(body.utf8), timeout: .seconds(20), connectTimeout: .seconds(2))) else { return nil }
                return (response.status, response.headers.first { $0.key.lowercased() == "retry-after" }?.value)
            }
            @Sendable func ready() async -> (status: Int, retryAfter: String?)? {
                guard let response = try? await client.perform(HTTPRequest(
                    method: "GET", url: "http://127.0.0.1:\(port)/readyz", timeout: .seconds(20), connectTimeout: .seconds(2))) else { return nil }
                return (response.status, response.headers.first { $0.key.lowercased() == "retry-after" }?.value)
            }
            #expect(await ready()?.status == 200)
            #expect(await post("before")?.status == 202)
            // The database goes away for this gateway: its role may no longer log in, and its sessions are ended.
            try await cluster.admin([
                "ALTER ROLE \(settings.username) NOLOGIN",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(settings.username)'",
            ])
            for number in 0..<3 {
                let answer = await post("during-\(number)")
                #expect(answer?.status == 503, "got \(answer.map { String($0.status) } ?? "no answer") while the database was away")
                #expect(answer?.retryAfter != nil)
            }
            // A load balancer's probe sees the node as not ready, while the process itself is still healthy.
            let away = await ready()
            #expect(away?.status == 503, "readyz answered \(away.map { String($0.status) } ?? "nothing") while the database was away")
            #expect(away?.retryAfter != nil)
            #expect(await CrashRecoveryTests.healthy(port: port))
            try await cluster.admin(["ALTER ROLE \(settings.username) LOGIN"])
            #expect(
                try await eventually(within: 90) { await post("after")?.status == 202 },
                "the gateway did not recover: \(String((try? String(contentsOfFile: node.log, encoding: .utf8))?.suffix(1500) ?? ""))")
            // What was refused is not stored; what was acknowledged is, once.
            try await TestPostgres.withClient(settings) { database in
                var ids: [String] = []
                for try await id in try await database.query("SELECT external_id FROM messages ORDER BY received_at", logger: TestPostgres.logger)
                    .decode(String.self) { ids.append(id) }
                #expect(ids == ["before", "after"])
            }
            #expect(await ready()?.status == 200)
            node.kill(SIGTERM)
            // The gateway that lived through the outage still stops cleanly. It once did not: a statement sent on a
            // connection whose session the outage ended never got an answer, and a lease the pool had not given up
            // held its caller; either kept the outbox dispatcher, and with it the shutdown, past every deadline.
            #expect(node.process?.terminationStatus == 0, "SIGTERM should end the gateway cleanly: \(Self.shutdownReport(node.log))")
        }
    }

    /// What a gateway's log says about a shutdown that did not end cleanly: its last lines before any crash
    /// report, then the crashed thread's frames (the report lists every thread, most of them idle).
    static func shutdownReport(_ path: String) -> String {
        guard let log = try? String(contentsOfFile: path, encoding: .utf8) else { return "no log" }
        guard let crash = log.range(of: "Program crashed") else { return String(log.suffix(3000)) }
        var report = String(log[..<crash.lowerBound].suffix(2500))
        if let crashed = log.range(of: "crashed:", range: crash.upperBound..<log.endIndex) {
            report += "\n…\n" + String(log[crashed.lowerBound...].prefix(2000))
        }
        return report
    }
}
