import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The whole service loop over real HTTP, on a clock the test moves, with a restart in the middle: a
/// message comes in and is acknowledged, an agent claims and answers it, waits on the customer (the clocks
/// pause), the customer answers (they resume), the next response warns, the gateway restarts, the missed
/// breach fires once and escalates with a notification verified by the standardwebhooks package, the agent
/// escalates and hands off with a script, the supervisor resolves, the customer writes again (reopen),
/// it is resolved and closed, and the customer's next message starts a linked conversation.
@Suite("The service loop, end to end")
struct ServiceLoopStoryTests {
    static let sueToken = "sue-supervisor-token-for-story"

    static func harness(replies: ReplyReceiver, notifications: ReplyReceiver, time: ManualTime, directory: URL? = nil) throws -> GatewayHarness {
        var harness = try GatewayHarness(
            replyURL: replies.url, maxAttempts: 5,
            environment: ["TEST_NOTIFY_URL": notifications.url, "TEST_NOTIFY_SECRET": NotificationTests.secret, "TEST_SUE": sueToken],
            directory: directory,
            extraTokens: """
                  - { id: sue, name: Sue, role: supervisor, token: { env: TEST_SUE } }
                """,
            extraSections: """
                notifications:
                  targets:
                    - id: supervisors
                      url: { env: TEST_NOTIFY_URL }
                      secret: { env: TEST_NOTIFY_SECRET }
                      events: [sla.warning, conversation.escalated, conversation.resolved]
                      quiet_hours: none
                """)
        harness.timerClock = { time.value }
        return harness
    }

    static func page(_ client: any TestClientProtocol, _ id: String) async throws -> ConversationPage {
        try await client.send(.get, "/v1/conversations/\(id)", token: GatewayHarness.opsToken).decode(ConversationPage.self)
    }

    static func act(_ client: any TestClientProtocol, _ id: String, _ action: String, _ json: String? = nil, token: String = GatewayHarness.agentToken) async throws -> TestResponse {
        try await client.send(.post, "/v1/conversations/\(id)/\(action)", json: json, token: token)
    }

    static func customer(_ client: any TestClientProtocol, _ text: String) async throws -> WebhookAcceptance {
        let body = try JSONSerialization.data(withJSONObject: ["from": "zhao.lei@example.com", "text": text])
        let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: String(decoding: body, as: UTF8.self))
        #expect(posted.status == .accepted)
        return try posted.decode(WebhookAcceptance.self)
    }

    /// The kinds of the notifications received, one per `webhook-id`: delivery is at least once (a stop
    /// between the receiver's answer and the store recording it sends the same notification again, with
    /// the same id, after the restart), so firing twice means two ids.
    static func types(_ receiver: ReplyReceiver) -> [String] {
        var seen = Set<String>()
        return NotificationTests.received(receiver).compactMap { type, request in
            let id = request.headers["webhook-id"] ?? UUID().uuidString
            return seen.insert(id).inserted ? type : nil
        }
    }

    @Test("intake to close and beyond, with a restart between a warning and its breach: nothing fires twice, nothing is missed")
    func story() async throws {
        let replies = ReplyReceiver(), notifications = ReplyReceiver()
        try await replies.start()
        try await notifications.start()
        defer { Task { await replies.stop(); await notifications.stop() } }
        let time = ManualTime(ManualTime.workingMorning)
        var first = try Self.harness(replies: replies, notifications: notifications, time: time)
        first.removeDirectoryAfterRun = false
        let directory = first.directory
        let shared = SharedIDs()

        try await first.run { (client, _) async throws in
            // 1. The message comes in and is acknowledged, once committed.
            let accepted = try await Self.customer(client, "The site is down, nobody can log in to pay invoices")
            let id = accepted.conversationID
            shared.conversation = id
            #expect(try await eventually { replies.received.count == 1 })
            let opened = try await Self.page(client, id)
            #expect(opened.conversation.state == "new" && opened.conversation.slaPolicy == "incident")
            let queue = opened.conversation.queue

            // 2. An agent claims the earliest deadline of the queue, and answers.
            time.value = time.value.addingTimeInterval(60)
            let claimed = try await client.send(.post, "/v1/queues/\(queue)/claim", token: GatewayHarness.agentToken)
            #expect(claimed.status == .ok)
            #expect(try claimed.decode(ConversationAnswer.self).id == id)
            let answer = try await client.send(
                .post, "/v1/outbox", json: #"{"conversation_id":"\#(id)","text":"We are on it. Which browser do you use?"}"#, token: GatewayHarness.agentToken)
            #expect(answer.status == .created)
            #expect(try await eventually { replies.received.count == 2 })

            // 3. Waiting on the customer pauses the clocks: an hour passes and nothing fires.
            #expect(try await Self.act(client, id, "wait", #"{"reason":"asked for the browser"}"#).status == .ok)
            let waiting = try await Self.page(client, id)
            #expect(waiting.clocks.first { $0.kind == "resolution" }?.status == "paused")
            time.value = time.value.addingTimeInterval(3600)
            try await Task.sleep(for: .milliseconds(1_200))
            #expect(try await Self.page(client, id).events.filter { $0.kind.hasPrefix("sla_") }.isEmpty)

            // 4. The customer answers: the clocks resume, and the next response is due.
            _ = try await Self.customer(client, "Chrome, and it still does not load")
            let resumed = try await Self.page(client, id)
            #expect(resumed.conversation.state == "in_progress")
            #expect(resumed.events.contains { $0.kind == "resumed" })
            let next = try #require(resumed.clocks.first { $0.kind == "next_response" })
            #expect(next.status == "running")
            shared.nextDue = try #require(next.dueAt)

            // 5. Its warning fires, and reaches the supervisors.
            time.value = try #require(next.warnAt).addingTimeInterval(1)
            #expect(try await eventually { Self.types(notifications) == ["sla.warning"] })
        }

        // 6. The gateway stops; the deadline passes while it is down.
        time.value = shared.nextDue.addingTimeInterval(120)
        var second = try Self.harness(replies: replies, notifications: notifications, time: time, directory: directory)
        second.removeDirectoryAfterRun = true
        try await second.run { (client, _) async throws in
            let id = shared.conversation
            // The missed breach fires once after the restart (the policy names supervisors for it) and
            // escalates; the warning is not repeated.
            let expected = ["conversation.escalated", "sla.breached", "sla.warning"]
            #expect(try await eventually { Self.types(notifications).sorted() == expected })
            try await Task.sleep(for: .milliseconds(1_200))
            #expect(Self.types(notifications).sorted() == expected)
            let breached = try await Self.page(client, id)
            #expect(breached.events.filter { $0.kind == "sla_warning" }.map { $0.detail["clock"] } == ["next_response"])
            #expect(breached.events.filter { $0.kind == "sla_breached" }.map { $0.detail["clock"] } == ["next_response"])
            #expect(breached.conversation.state == "escalated" && breached.conversation.queue == "escalations")
            for (_, request) in NotificationTests.received(notifications) {
                #expect(try IndependentVerifier.verify(secret: NotificationTests.secret, body: request.body, headers: request.headers) == "verified")
            }

            // 7. The agent escalates to level 1 and hands off to the supervisor with the hand-off script.
            time.value = time.value.addingTimeInterval(60)
            #expect(try await Self.act(client, id, "escalate", #"{"level":1,"reason":"payments are blocked for every customer"}"#).status == .ok)
            #expect(try await eventually { Self.types(notifications).filter { $0 == "conversation.escalated" }.count == 2 })
            let handoff = try await Self.act(
                client, id, "handoff",
                #"{"to_owner":"sue","note":"payments team engaged","script":"escalation-handoff","variables":{"reason":"the outage needs our payments team","contact_within":"30 minutes"}}"#)
            #expect(handoff.status == .ok)
            #expect(try await eventually { replies.received.contains { String(decoding: $0.body, as: UTF8.self).contains("the outage needs our payments team") } })

            // 8. The supervisor resolves; the customer writes again and it reopens; resolved again and closed.
            #expect(try await Self.act(client, id, "resolve", #"{"resolution":"fixed the load balancer"}"#, token: Self.sueToken).status == .ok)
            #expect(try await eventually { Self.types(notifications).contains("conversation.resolved") })
            _ = try await Self.customer(client, "It broke again just now")
            let reopened = try await Self.page(client, id)
            #expect(reopened.conversation.state == "assigned" && reopened.conversation.owner == "sue")
            #expect(reopened.events.filter { $0.kind == "reopened" }.count == 1)
            #expect(try await Self.act(client, id, "resolve", #"{"resolution":"restarted the second node"}"#, token: Self.sueToken).status == .ok)
            #expect(try await Self.act(client, id, "close", token: Self.sueToken).status == .ok)

            // 9. The customer's next message starts a new conversation linked to the closed one.
            let later = try await Self.customer(client, "Thanks, and one more question about my invoice")
            #expect(later.conversationID != id)
            let linked = try await client.send(.get, "/v1/conversations/\(later.conversationID)", token: GatewayHarness.opsToken)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: linked.body)) as? [String: Any])
            let conversation = try #require(object["conversation"] as? [String: Any])
            #expect(conversation["previous_conversation_id"] as? String == id)
            let closed = try #require(try JSONSerialization.jsonObject(
                with: Data(buffer: try await client.send(.get, "/v1/conversations/\(id)", token: GatewayHarness.opsToken).body)) as? [String: Any])
            #expect((closed["conversation"] as? [String: Any])?["reopen_count"] as? Int == 1)
            #expect((closed["conversation"] as? [String: Any])?["state"] as? String == "closed")

            // The next response's warning and breach each fired once over the whole story.
            let final = try await Self.page(client, id)
            for kind in ["sla_warning", "sla_breached"] {
                #expect(final.events.filter { $0.kind == kind && $0.detail["clock"] == "next_response" }.count == 1, "\(kind)")
            }
        }
    }
}

/// What the two runs of the story share.
final class SharedIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var _conversation = ""
    private var _nextDue = Date.distantPast
    var conversation: String {
        get { lock.withLock { _conversation } }
        set { lock.withLock { _conversation = newValue } }
    }
    var nextDue: Date {
        get { lock.withLock { _nextDue } }
        set { lock.withLock { _nextDue = newValue } }
    }
}
