import Foundation
import Digests
import Gateway
import GRDB
@testable import HTTPServer
import SQLiteStorage
import Synchronization
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// What the agent console stands on, over real HTTP: a session traded for a token (cookie, CSRF token,
/// sign-out), the scripts catalogue, a reply's preview, and the live event stream with resumption.
@Suite("Console API, end to end")
struct ConsoleAPITests {
    static let alice = GatewayHarness.agentToken

    /// The session's answer to sign-in and to `GET /console/session`.
    struct SessionAnswer: Decodable {
        struct Agent: Decodable {
            var id: String
            var name: String
            var role: String
        }
        var csrfToken: String
        var agent: Agent
        var idleTimeoutSeconds: Int

        enum CodingKeys: String, CodingKey {
            case csrfToken = "csrf_token", agent, idleTimeoutSeconds = "idle_timeout_seconds"
        }
    }

    struct PreviewAnswer: Decodable {
        struct Problem: Decodable {
            var code: String
            var message: String
        }
        struct Approval: Decodable {
            var required: Bool
            var amount: String
            var reason: String
        }
        var ok: Bool
        var text: String?
        var channel: String
        var problems: [Problem]
        var approval: Approval?
    }

    struct ScriptsAnswer: Decodable {
        struct Script: Decodable {
            struct Variable: Decodable {
                var name: String
                var required: Bool
            }
            var id: String
            var languages: [String]
            var variables: [Variable]
            var gatewayVariables: [String]

            enum CodingKeys: String, CodingKey {
                case id, languages, variables, gatewayVariables = "gateway_variables"
            }
        }
        var scripts: [Script]
    }

    /// Signs in with `token`; the cookie header that carries the session, and the session's answer.
    static func signIn(_ client: any TestClientProtocol, token: String = alice) async throws -> (cookie: String, session: SessionAnswer) {
        let response = try await client.send(.post, "/console/session", json: #"{"token":"\#(token)"}"#)
        #expect(response.status == .ok)
        let setCookie = try #require(response.headers[.setCookie])
        let value = try #require(setCookie.split(separator: ";").first.map(String.init))
        return (value, try response.decode(SessionAnswer.self))
    }

    @Test("sign-in trades a token for an HttpOnly, SameSite=Strict session; a change needs its CSRF token; sign-out ends it")
    func session() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { (client, _) async throws in
            let wrong = try await client.send(.post, "/console/session", json: #"{"token":"not-a-token"}"#)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)
            // A form post (another site's page) cannot sign a browser in.
            let form = try await client.postForm("/console/session", [("token", Self.alice)])
            #expect(form.status == .unsupportedMediaType)

            let signedIn = try await client.send(.post, "/console/session", json: #"{"token":"\#(Self.alice)"}"#)
            let setCookie = try #require(signedIn.headers[.setCookie])
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/"))
            #expect(!setCookie.contains("Secure"))
            #expect(!setCookie.contains(Self.alice))
            let session = try signedIn.decode(SessionAnswer.self)
            #expect(session.agent.id == "alice" && session.agent.role == "agent" && session.idleTimeoutSeconds == 8 * 3600)
            let cookie = String(setCookie.split(separator: ";")[0])
            let csrf: HTTPFields = [.cookie: cookie, HTTPField.Name("X-CSRF-Token")!: session.csrfToken]

            // The cookie stands for the token on the API; reads need nothing more.
            #expect(try await client.send(.get, "/v1/queues", headers: [.cookie: cookie]).status == .ok)
            let reloaded = try await client.send(.get, "/console/session", headers: [.cookie: cookie]).decode(SessionAnswer.self)
            #expect(reloaded.csrfToken == session.csrfToken)

            let id = try await LifecycleActionsTests.customer(client, "where is my invoice for March")
            // A change without the CSRF token, or with another, is refused and changes nothing.
            for headers: HTTPFields in [[.cookie: cookie], [.cookie: cookie, HTTPField.Name("X-CSRF-Token")!: "forged"]] {
                let refused = try await client.send(.post, "/v1/conversations/\(id)/claim", json: "{}", headers: headers)
                #expect(refused.status == .forbidden)
                #expect(String(buffer: refused.body).contains("csrf_token_invalid"))
            }
            #expect(try await LifecycleActionsTests.conversation(client, id).conversation.owner == nil)
            let claimed = try await client.send(.post, "/v1/conversations/\(id)/claim", json: "{}", headers: csrf)
            #expect(claimed.status == .ok)
            #expect(try claimed.decode(ConversationAnswer.self).owner == "alice")

            // Sign-out needs the CSRF token too; after it the cookie is nothing.
            #expect(try await client.send(.post, "/console/session/end", headers: [.cookie: cookie]).status == .forbidden)
            let out = try await client.send(.post, "/console/session/end", headers: csrf)
            #expect(out.status == .noContent)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            let after = try await client.send(.get, "/v1/queues", headers: [.cookie: cookie])
            #expect(after.status == .unauthorized)
            #expect(String(buffer: after.body).contains("session_expired"))
            #expect(try await client.send(.get, "/console/session", headers: [.cookie: cookie]).status == .unauthorized)
        }
    }

    @Test("a session ends after its idle time; requests keep it alive, written down at most once a touch interval")
    func sessionIdles() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteMessageStore(directory: directory.path)
        let sessions = ConsoleSessions(store: store, idleTimeout: 60, touchInterval: 10)
        let token = AccessToken(id: "alice", name: "Alice", role: .agent, token: "a-token-for-sessions")
        let opened = try await sessions.open(for: token, now: Date(timeIntervalSince1970: 1_000))
        let found = try #require(try await sessions.session(cookie: opened.cookie, now: Date(timeIntervalSince1970: 1_005)))
        #expect(found.csrfToken == opened.csrfToken && found.tokenDigest == Digest.sha256("a-token-for-sessions"))
        // Within the touch interval nothing is written; after it, the request is.
        #expect(try await store.session(cookieHash: ConsoleSessions.hash(opened.cookie))?.lastSeenAt == Date(timeIntervalSince1970: 1_000))
        #expect(try await sessions.session(cookie: opened.cookie, now: Date(timeIntervalSince1970: 1_059)) != nil)
        #expect(try await store.session(cookieHash: ConsoleSessions.hash(opened.cookie))?.lastSeenAt == Date(timeIntervalSince1970: 1_059))
        // Each request restarts the idle clock; a minute of silence ends the session for good.
        #expect(try await sessions.session(cookie: opened.cookie, now: Date(timeIntervalSince1970: 1_118)) != nil)
        #expect(try await sessions.session(cookie: opened.cookie, now: Date(timeIntervalSince1970: 1_178)) == nil)
        #expect(try await store.session(cookieHash: ConsoleSessions.hash(opened.cookie)) == nil)
        #expect(try await sessions.session(cookie: "never-opened", now: Date(timeIntervalSince1970: 1_000)) == nil)
        // The store never holds the cookie itself.
        let hashes = try await testDatabase(store.path).read { db in try String.fetchAll(db, sql: "SELECT cookie_hash FROM console_sessions") }
        #expect(!hashes.contains(opened.cookie))
    }

    @Test("a browser signed in on one gateway is signed in on another sharing the store, and after a restart")
    func sessionsShared() async throws {
        var first = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused")
        first.removeDirectoryAfterRun = false
        let signedIn = Mutex<(cookie: String, csrf: String)>(("", ""))
        try await first.run { (client, _) async throws in
            let opened = try await Self.signIn(client)
            signedIn.withLock { $0 = (opened.cookie, opened.session.csrfToken) }
        }
        let (cookie, csrf) = signedIn.withLock { $0 }
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused", directory: first.directory).run { (client, _) async throws in
            let again = try await client.send(.get, "/console/session", headers: [.cookie: cookie])
            #expect(again.status == .ok)
            #expect(try again.decode(SessionAnswer.self).csrfToken == csrf)
            #expect(try await client.send(.get, "/v1/queues", headers: [.cookie: cookie]).status == .ok)
        }
    }

    @Test("the scripts catalogue names what an agent fills in; a preview renders, counts and judges a reply without queuing it")
    func scriptsAndPreview() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused", maxBodyBytes: 8192).run { (client, _) async throws in
            let scripts = try await client.send(.get, "/v1/scripts", token: Self.alice).decode(ScriptsAnswer.self).scripts
            let compensation = try #require(scripts.first { $0.id == "delay-compensation" })
            #expect(Set(compensation.variables.map(\.name)) == ["compensation", "new_time", "progress"])
            #expect(compensation.variables.allSatisfy { $0.required })
            #expect(compensation.gatewayVariables.contains("agent.name") && compensation.languages == ["en", "zh"])
            #expect(scripts.allSatisfy { script in script.variables.allSatisfy { !$0.name.hasPrefix("customer.") && !$0.name.hasPrefix("sla.") } })

            let id = try await LifecycleActionsTests.customer(client, "my parcel is a week late")
            func preview(_ json: String) async throws -> PreviewAnswer {
                let response = try await client.send(.post, "/v1/replies/preview", json: json, token: Self.alice)
                #expect(response.status == .ok)
                return try response.decode(PreviewAnswer.self)
            }
            let missing = try await preview(#"{"conversation_id":"\#(id)","script":"delay-compensation","variables":{"new_time":"tomorrow 10:00"}}"#)
            #expect(!missing.ok && missing.text == nil)
            #expect(missing.problems.map(\.code) == ["missing_template_variable"])
            #expect(missing.problems[0].message.contains("progress") && missing.problems[0].message.contains("compensation"))

            let held = try await preview(
                #"{"conversation_id":"\#(id)","script":"delay-compensation","variables":{"new_time":"tomorrow 10:00","progress":"shipped","compensation":"¥800"}}"#)
            #expect(held.ok && held.problems.isEmpty && held.channel == "webhook")
            #expect(held.text?.contains("tomorrow 10:00") == true && held.text?.contains("¥800") == true)
            #expect(held.approval?.amount == "CNY 800.00" && held.approval?.reason == "above_threshold")

            let vague = try await preview(#"{"conversation_id":"\#(id)","text":"We will fix it as soon as possible."}"#)
            #expect(!vague.ok && vague.problems.map(\.code) == ["forbidden_phrase"])
            let plain = try await preview(#"{"conversation_id":"\#(id)","text":"Your parcel leaves today at 17:00."}"#)
            #expect(plain.ok && plain.approval == nil && plain.text == "Your parcel leaves today at 17:00.")

            // A preview is not a send.
            #expect(try await LifecycleActionsTests.conversation(client, id).outbox.count == 1)
            let unknown = try await client.send(.post, "/v1/replies/preview", json: #"{"conversation_id":"conv_nope","text":"hi"}"#, token: Self.alice)
            #expect(unknown.status == .notFound)
        }
    }

    @Test("an SMS reply's preview counts its segments and encoding, and names one too long while still showing its text")
    func smsPreview() async throws {
        var harness = try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused",
            extraSources: """
                  - id: kan
                    channel: sms
                    number: "10690000"
                    default_country_code: "86"
                    max_segments: 2
                    kannel:
                      sendsms_url: http://127.0.0.1:9/cgi-bin/sendsms
                      username: tester
                      password: { env: TEST_KANNEL_PASSWORD }
                      inbound_secret: { env: TEST_KANNEL_SECRET }
                """,
            environment: ["TEST_KANNEL_PASSWORD": "kannel-password-for-tests", "TEST_KANNEL_SECRET": "kannel-secret-for-tests"])
        harness.deliverReplies = false
        try await harness.run { (client, _) async throws in
            let mo = "from=8613700137000&to=10690000&text=hello&coding=0&charset=UTF-8&smsc=op&id=preview-1"
            let accepted = try await client.execute(
                uri: "/v1/inbound/sms/kan?secret=kannel-secret-for-tests&\(mo)", method: .get, headers: [:], body: nil)
            #expect(accepted.status == .ok)
            let list = try await client.send(.get, "/v1/conversations?customer=%2B8613700137000", token: Self.alice)
            let id = try #require(try JSONDecoder().decode(JSONValue.self, from: Data(buffer: list.body))["conversations"]?.array?.first?["id"]?.string)
            func preview(_ text: String) async throws -> JSONValue {
                let body = try JSONSerialization.data(withJSONObject: ["conversation_id": id, "text": text])
                let answer = try await client.send(.post, "/v1/replies/preview", json: String(decoding: body, as: UTF8.self), token: Self.alice)
                #expect(answer.status == .ok)
                return try JSONDecoder().decode(JSONValue.self, from: Data(buffer: answer.body))
            }
            let latin = try await preview("Your parcel leaves today at 17:00.")
            #expect(latin["channel"]?.string == "sms" && latin["sms"]?["encoding"]?.string == "GSM-7" && latin["sms"]?["segments"]?.number == 1)
            let chinese = try await preview("您的包裹今天17:00发出。")
            #expect(chinese["sms"]?["encoding"]?.string == "UCS-2" && chinese["sms"]?["segments"]?.number == 1)
            // Three UCS-2 segments' worth, over the source's max_segments of 2: refused, and still shown.
            let long = String(repeating: "您的包裹今天发出", count: 20)
            let tooLong = try await preview(long)
            #expect(tooLong["ok"] == .bool(false) && tooLong["text"]?.string == long)
            #expect(tooLong["sms"]?["segments"]?.number == 3)
            #expect(tooLong["problems"]?.array?.compactMap { $0["code"]?.string } == ["reply_too_long"])
        }
    }

    @Test("a conversation's clocks come with the log they are computed from: started with its target, paused with its reason")
    func clockLog() async throws {
        var harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused")
        let time = ManualTime(ManualTime.workingMorning)
        harness.timerClock = { time.value }
        try await harness.run { (client, _) async throws in
            let id = try await LifecycleActionsTests.customer(client, "where is my invoice for March")
            #expect(try await LifecycleActionsTests.act(client, id, "claim").status == .ok)
            time.value = time.value.addingTimeInterval(60)
            #expect(try await LifecycleActionsTests.act(client, id, "wait", #"{"reason":"asked for the invoice number"}"#).status == .ok)
            let answer = try await client.send(.get, "/v1/conversations/\(id)/clocks", token: Self.alice)
            #expect(answer.status == .ok)
            let book = try #require(try JSONDecoder().decode(JSONValue.self, from: Data(buffer: answer.body))["log"]?.array)
            let started = try #require(book.first { $0["clock"]?.string == "first_response" && $0["action"]?.string == "started" })
            #expect(started["policy"]?.string?.isEmpty == false)
            #expect((started["target_seconds"]?.number ?? 0) > 0)
            #expect(book.contains { $0["action"]?.string == "paused" && $0["reason"]?.string?.isEmpty == false })
            // Oldest first.
            let times = book.compactMap { $0["at"]?.string }
            #expect(times == times.sorted() && times.count == book.count)
            #expect(try await client.send(.get, "/v1/conversations/conv_nope/clocks", token: Self.alice).status == .notFound)
        }
    }

    @Test("the event stream pushes a new message at once, and resumes after Last-Event-ID with what it missed")
    func eventStream() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { (client, _) async throws in
            let port = try #require(client.port)
            let stream = try RawConnection(port: port)
            stream.send("GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(Self.alice)\r\n\r\n")
            #expect(await Self.read(stream, within: 10) { $0.contains(": connected") })
            #expect(stream.text.hasPrefix("HTTP/1.1 200"))
            #expect(stream.text.lowercased().contains("content-type: text/event-stream"))
            // It opens by saying where it starts: what a client that saw no event yet resumes from.
            #expect(await Self.read(stream, within: 10) { $0.contains("event: ready") })
            let start = try #require(Self.eventIDs(stream.text).first)
            #expect(stream.text.contains(#"data: {"seq":\#(start)}"#))

            let first = try await LifecycleActionsTests.customer(client, "where is my invoice for March")
            let arrived = await Self.read(stream, within: 10) {
                $0.contains(#""conversation_id":"\#(first)""#) && $0.contains(#""kind":"received""#)
            }
            #expect(arrived)
            let ids = Self.eventIDs(stream.text)
            let last = try #require(ids.last)
            #expect(ids == ids.sorted() && Set(ids).count == ids.count && ids.dropFirst().allSatisfy { $0 > start })

            // Two more messages while no stream is open; a stream that resumes gets them first, and nothing older.
            let second = try await LifecycleActionsTests.customer(client, "and my invoice for April", from: "b@example.com")
            let third = try await LifecycleActionsTests.customer(client, "and my invoice for May", from: "c@example.com")
            let resumed = try RawConnection(port: port)
            resumed.send("GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(Self.alice)\r\nLast-Event-ID: \(last)\r\n\r\n")
            let caughtUp = await Self.read(resumed, within: 10) { $0.contains(#""conversation_id":"\#(third)""#) }
            #expect(caughtUp)
            #expect(resumed.text.contains(#""conversation_id":"\#(second)""#))
            // The ready event names the resume point; every event after it is newer.
            let resumedIDs = Self.eventIDs(resumed.text)
            #expect(resumedIDs.first == last && resumedIDs.dropFirst().allSatisfy { $0 > last })
            #expect(!resumed.text.contains("invoice"))

            let badResume = try await client.send(.get, "/v1/events", token: Self.alice, headers: [HTTPField.Name("Last-Event-ID")!: "yesterday"])
            #expect(badResume.status == .badRequest)
            #expect(try await client.send(.get, "/v1/events").status == .unauthorized)
        }
    }

    @Test("a token limited to a queue streams only that queue's events")
    func scopedStream() async throws {
        let billingToken = "billing-only-token-for-streams"
        var harness = try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused", environment: ["TEST_BILLING": billingToken],
            extraTokens: "  - { id: bill, role: agent, queues: [billing], token: { env: TEST_BILLING } }")
        // In working hours, so the invoice goes to billing rather than the after-hours desk.
        let time = ManualTime(ManualTime.workingMorning)
        harness.timerClock = { time.value }
        try await harness.run { (client, _) async throws in
            let stream = try RawConnection(port: try #require(client.port))
            stream.send("GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(billingToken)\r\n\r\n")
            #expect(await Self.read(stream, within: 10) { $0.contains(": connected") })
            let outage = try await LifecycleActionsTests.customer(client, "网站一直打不开，急死了", from: "a@example.com")
            let invoice = try await LifecycleActionsTests.customer(client, "I was charged twice on my invoice", from: "b@example.com")
            #expect(try await LifecycleActionsTests.conversation(client, invoice).conversation.queue == "billing")
            #expect(try await LifecycleActionsTests.conversation(client, outage).conversation.queue != "billing")
            #expect(await Self.read(stream, within: 10) { $0.contains(#""conversation_id":"\#(invoice)""#) })
            #expect(!stream.text.contains(outage))
        }
    }

    @Test("two gateways on one PostgreSQL: a session opened on one works on the other, and a message taken by one streams from the other")
    func twoGateways() async throws {
        try await TestPostgres.shared().withDatabase { settings in
            let first = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused", postgres: settings)
            let second = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused", postgres: settings)
            try await first.run { (one, _) async throws in
                try await second.run { (other, _) async throws in
                    let (cookie, session) = try await Self.signIn(one)
                    let back = try await other.send(.get, "/console/session", headers: [.cookie: cookie])
                    #expect(back.status == .ok)
                    #expect(try back.decode(SessionAnswer.self).csrfToken == session.csrfToken)

                    let stream = try RawConnection(port: try #require(one.port))
                    stream.send("GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(cookie)\r\n\r\n")
                    #expect(await Self.read(stream, within: 10) { $0.contains(": connected") })
                    let id = try await LifecycleActionsTests.customer(other, "where is my invoice for March")
                    #expect(await Self.read(stream, within: 10) { $0.contains(#""conversation_id":"\#(id)""#) })

                    // Signed out on the second, the session is gone on the first too.
                    let csrf: HTTPFields = [.cookie: cookie, HTTPField.Name("X-CSRF-Token")!: session.csrfToken]
                    #expect(try await other.send(.post, "/console/session/end", headers: csrf).status == .noContent)
                    #expect(try await one.send(.get, "/v1/queues", headers: [.cookie: cookie]).status == .unauthorized)
                }
            }
        }
    }

    /// Reads the connection until what arrived satisfies `done`, for at most `seconds`.
    static func read(_ connection: RawConnection, within seconds: Double, until done: (String) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !connection.closedByServer {
            await connection.read(waiting: 50)
            if done(connection.text) { return true }
        }
        return done(connection.text)
    }

    /// The `id:` lines of an event stream, in order.
    static func eventIDs(_ text: String) -> [Int64] {
        text.split(whereSeparator: \.isNewline).compactMap { line in line.hasPrefix("id: ") ? Int64(line.dropFirst(4)) : nil }
    }
}
