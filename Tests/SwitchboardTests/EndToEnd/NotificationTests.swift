import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Rules
import TestSupport
import Testing

/// Notifications over real HTTP: SLA events and escalations reach a local receiver as Standard Webhooks
/// that an independent implementation verifies, retried under one webhook-id, and held for quiet hours
/// below level 1.
@Suite("Notifications, end to end")
struct NotificationTests {
    static let secret = "whsec_bm90aWZpY2F0aW9uLXNlY3JldC1mb3ItdGhlLXRlc3Rz"

    struct OutboxPage: Decodable {
        var entries: [OutboxEntryAnswer]
    }

    static func harness(receiver: String, quietHours: String, time: ManualTime) throws -> GatewayHarness {
        var harness = try GatewayHarness(
            replyURL: "http://127.0.0.1:9/unused", maxAttempts: 5,
            environment: ["TEST_NOTIFY_URL": receiver, "TEST_NOTIFY_SECRET": secret],
            extraSections: """
                notifications:
                  targets:
                    - id: supervisors
                      url: { env: TEST_NOTIFY_URL }
                      secret: { env: TEST_NOTIFY_SECRET }
                      events: [sla.warning, conversation.escalated]
                      quiet_hours: \(quietHours)
                """)
        harness.timerClock = { time.value }
        return harness
    }

    /// The payloads received, by their type, with the headers they came with.
    static func received(_ receiver: ReplyReceiver) -> [(type: String, request: ReplyReceiver.Received)] {
        receiver.received.compactMap { request in
            guard let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any], let type = object["type"] as? String else { return nil }
            return (type, request)
        }
    }

    static func data(_ body: Data) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["data"] as? [String: Any] ?? [:]
    }

    static func notifications(_ client: any TestClientProtocol) async throws -> [OutboxEntryAnswer] {
        try await client.send(.get, "/v1/outbox?limit=100", token: GatewayHarness.opsToken).decode(OutboxPage.self).entries
            .filter { $0.channel == "notification" }
    }

    @Test("a warning, then a breach and its escalation, each POSTed once, signed, verified by the standardwebhooks package; a 500 is retried under the same webhook-id")
    func warningBreachEscalation() async throws {
        let receiver = ReplyReceiver(statuses: [500])
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let time = ManualTime(ManualTime.workingMorning)
        try await Self.harness(receiver: receiver.url, quietHours: "none", time: time).run { (client, _) async throws in
            let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"ops@example.com","text":"the site is down, nobody can log in"}"#)
            let id = try posted.decode(WebhookAcceptance.self).conversationID
            let page = try await client.send(.get, "/v1/conversations/\(id)", token: GatewayHarness.opsToken).decode(ConversationPage.self)
            let clock = try #require(page.clocks.first { $0.kind == "first_response" })
            let warnAt = try #require(clock.warnAt), dueAt = try #require(clock.dueAt)

            time.value = warnAt.addingTimeInterval(1)
            // The first attempt meets a 500; the retry, due on the gateway's clock, is delivered.
            #expect(try await eventually { Self.received(receiver).map(\.type) == ["sla.warning"] })
            // Each poll moves the clock a second on, past the backoff the failure was recorded with.
            #expect(try await eventually {
                time.value = time.value.addingTimeInterval(1)
                return Self.received(receiver).map(\.type) == ["sla.warning", "sla.warning"]
            })
            let attempts = Self.received(receiver).map(\.request)
            #expect(attempts.count == 2 && attempts.first?.headers["webhook-id"] == attempts.last?.headers["webhook-id"])

            time.value = max(time.value, dueAt.addingTimeInterval(1))
            #expect(try await eventually { Self.received(receiver).count == 4 })
            try await Task.sleep(for: .milliseconds(500))
            let all = Self.received(receiver)
            #expect(all.map(\.type).sorted() == ["conversation.escalated", "sla.breached", "sla.warning", "sla.warning"])
            for (_, request) in all {
                #expect(try IndependentVerifier.verify(secret: Self.secret, body: request.body, headers: request.headers) == "verified")
            }
            let escalated = try #require(all.first { $0.type == "conversation.escalated" })
            let data = try #require((try JSONSerialization.jsonObject(with: escalated.request.body) as? [String: Any])?["data"] as? [String: Any])
            #expect(data["conversation_id"] as? String == id && data["queue"] as? String == "escalations" && data["level"] as? Int == 1)
            #expect(data["actor"] as? String == "sla-timer")
            #expect(!String(decoding: escalated.request.body, as: UTF8.self).contains("ops@example.com"))

            // The outbox holds them as delivered notifications, the webhook-id being each entry's id.
            let entries = try await Self.notifications(client)
            #expect(entries.count == 3 && entries.allSatisfy { $0.status == "delivered" && $0.recipient == "supervisors" })
            #expect(Set(entries.map(\.id)) == Set(all.compactMap { $0.request.headers["webhook-id"] }))
        }
    }

    @Test("below level 1 a notification waits for the calendar's opening; the level-1 escalation goes at once")
    func quietHours() async throws {
        let receiver = ReplyReceiver()
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let calendar = try #require(try RuleSetLoader(directory: Fixtures.shippedRules).load().calendars["cn-support"])
        // The first hour of the Saturday after the test starts, Beijing time: the desk is closed.
        var candidate = ManualTime.workingMorning.addingTimeInterval(3600)
        while calendar.isOpen(at: candidate) || Calendar(identifier: .gregorian).dateComponents(in: calendar.timeZone, from: candidate).weekday != 7 {
            candidate.addTimeInterval(3600)
        }
        let saturday = candidate
        let opening = calendar.adding(1, to: saturday).addingTimeInterval(-1)
        #expect(!calendar.isOpen(at: saturday) && calendar.isOpen(at: opening) && opening > saturday)

        let time = ManualTime(ManualTime.workingMorning)
        try await Self.harness(receiver: receiver.url, quietHours: "cn-support", time: time).run { (client, _) async throws in
            let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"ops@example.com","text":"the site is down, nobody can log in"}"#)
            let id = try posted.decode(WebhookAcceptance.self).conversationID
            #expect(try await client.send(.get, "/v1/conversations/\(id)", token: GatewayHarness.opsToken).decode(ConversationPage.self).conversation.priority > 1)
            // Downtime over the weekend: on Saturday the first-response clock warns and breaches at level 2,
            // and its breach escalates to level 1; the resolution clock then warns and breaches at level 1.
            time.value = saturday
            #expect(try await eventually { Self.received(receiver).count == 3 })
            try await Task.sleep(for: .milliseconds(500))
            let sent = Self.received(receiver)
            #expect(sent.map(\.type).sorted() == ["conversation.escalated", "sla.breached", "sla.warning"])
            for (type, request) in sent where type.hasPrefix("sla.") {
                #expect(Self.data(request.body)["clock"] as? String == "resolution" && Self.data(request.body)["level"] as? Int == 1)
            }
            let held = try await Self.notifications(client).filter { $0.status == "queued" }
            #expect(held.map { $0.script ?? "" }.sorted() == ["sla.breached", "sla.warning"])
            #expect(held.allSatisfy {
                Self.data(Data($0.body.utf8))["clock"] as? String == "first_response" && Self.data(Data($0.body.utf8))["level"] as? Int == 2
                    && $0.nextAttemptAt.map { abs($0.timeIntervalSince(opening)) < 0.01 } == true
            })

            // Monday morning: the held two go out.
            time.value = opening.addingTimeInterval(1)
            #expect(try await eventually { Self.received(receiver).count == 5 })
            #expect(Self.received(receiver).dropFirst(3).map(\.type).sorted() == ["sla.breached", "sla.warning"])
            #expect(try await Self.notifications(client).allSatisfy { $0.status == "delivered" })
        }
    }
}
