import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The gateway's SLA timer against the shipped rules, on a clock the test moves: a message's clocks warn
/// and then breach, each once, and the breach escalates as the policy says.
@Suite("SLA timers, end to end")
struct SLATimerTests {
    @Test("an unanswered incident warns at its warning instant and breaches at its deadline, once each; the breach escalates it")
    func warnAndBreach() async throws {
        let time = ManualTime(ManualTime.workingMorning)
        var harness = try GatewayHarness(replyURL: "http://127.0.0.1:9/unused")
        harness.deliverReplies = false
        harness.timerClock = { time.value }
        try await harness.run { (client, _) async throws in
            let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"ops@example.com","text":"the site is down, nobody can log in"}"#)
            let id = try posted.decode(WebhookAcceptance.self).conversationID
            @Sendable func page() async throws -> ConversationPage {
                try await client.send(.get, "/v1/conversations/\(id)", token: GatewayHarness.opsToken).decode(ConversationPage.self)
            }
            let opened = try await page()
            #expect(opened.conversation.slaPolicy == "incident")
            let clock = try #require(opened.clocks.first { $0.kind == "first_response" })
            let warnAt = try #require(clock.warnAt), dueAt = try #require(clock.dueAt)

            @Sendable func kinds() async throws -> [String] { try await page().events.map(\.kind).filter { $0.hasPrefix("sla_") || $0 == "escalated" } }
            time.value = warnAt.addingTimeInterval(1)
            #expect(try await eventually { try await kinds() == ["sla_warning"] })
            time.value = dueAt.addingTimeInterval(1)
            #expect(try await eventually { try await kinds() == ["sla_warning", "sla_breached", "escalated"] })
            let breached = try await page()
            #expect(breached.conversation.queue == "escalations" && breached.conversation.priority == 1 && breached.conversation.state == "escalated")

            // Time goes on: nothing fires twice.
            time.value = dueAt.addingTimeInterval(120)
            try await Task.sleep(for: .milliseconds(1_500))
            #expect(try await kinds() == ["sla_warning", "sla_breached", "escalated"])
            let metrics = String(buffer: try await client.send(.get, "/metrics").body)
            #expect(metrics.contains(#"switchboard_sla_events_total{policy="incident",clock="first_response",event="warned"} 1"#))
            #expect(metrics.contains(#"switchboard_sla_events_total{policy="incident",clock="first_response",event="breached"} 1"#))
        }
    }
}
