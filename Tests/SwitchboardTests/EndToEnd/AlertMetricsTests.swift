import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The alerting rules shipped in `Config/prometheus/alerts.yaml` watch metrics the gateway really
/// exposes: every `switchboard_…` name their expressions use is on `/metrics` of a running gateway, and
/// the service-level gauges carry the report's figures, by queue and by channel.
@Suite("Alerting rules against /metrics")
struct AlertMetricsTests {
    static func metricNames(inAlerts text: String) -> Set<String> {
        var names: Set<String> = []
        var current = ""
        for character in text + " " {
            if character.isLetter || character.isNumber || character == "_" {
                current.append(character)
            } else {
                if current.hasPrefix("switchboard_") { names.insert(current) }
                current = ""
            }
        }
        return names
    }

    @Test("every metric the alerts use is exposed; the service-level gauges hold the week's figures")
    func alertsWatchRealMetrics() async throws {
        let receiver = ReplyReceiver()
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let alerts = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Config/prometheus/alerts.yaml"), encoding: .utf8)
        let names = Self.metricNames(inAlerts: alerts)
        #expect(names.isSuperset(of: [
            "switchboard_sla_attainment_ratio", "switchboard_first_contact_resolution_ratio", "switchboard_outbox_entries",
            "switchboard_csat_ratio", "switchboard_channel_csat_ratio", "switchboard_nps_score", "switchboard_channel_nps_score",
        ]))

        var harness = try GatewayHarness(replyURL: receiver.url)
        harness.serviceLevelInterval = .milliseconds(200)
        try await harness.run { (client, _) async throws in
            let posted = try await client.send(.post, "/v1/inbound/webhook/demo", json: #"{"from":"kpi@example.com","text":"where is my parcel?"}"#)
            let id = try posted.decode(WebhookAcceptance.self).conversationID
            // The acknowledgement is delivered (a delivery counted), then an agent resolves at first contact.
            #expect(try await eventually { receiver.received.count == 1 })
            #expect(try await client.send(.post, "/v1/conversations/\(id)/claim", token: GatewayHarness.agentToken).status == .ok)
            #expect(try await client.send(.post, "/v1/outbox", json: #"{"conversation_id":"\#(id)","text":"It arrives tomorrow."}"#, token: GatewayHarness.agentToken).status == .created)
            #expect(try await client.send(.post, "/v1/conversations/\(id)/resolve", json: #"{"resolution":"told the date"}"#, token: GatewayHarness.agentToken).status == .ok)
            #expect(try await eventually { receiver.received.count == 2 })

            @Sendable func metrics() async throws -> String { String(buffer: try await client.send(.get, "/metrics").body) }
            #expect(try await eventually {
                try await metrics().contains(#"switchboard_first_contact_resolution_ratio{queue="all"} 1"#)
            })
            let text = try await metrics()
            for name in names {
                #expect(text.contains(name + "{") || text.contains(name + " "), "\(name) is not on /metrics")
            }
            #expect(text.contains(#"switchboard_sla_attainment_ratio{queue="all",clock="first_response"} 1"#))
            // By channel too; the customer did not come back, and no survey was answered: CSAT and NPS have no figure.
            #expect(text.contains(#"switchboard_channel_first_contact_resolution_ratio{channel="webhook"} 1"#))
            #expect(text.contains(#"switchboard_channel_sla_attainment_ratio{channel="webhook",clock="first_response"} 1"#))
            #expect(text.contains(#"switchboard_repeat_contact_ratio{queue="all"} 0"#))
            #expect(text.contains(#"switchboard_csat_ratio{queue="all"} nan"#) && text.contains(#"switchboard_channel_nps_score{channel="webhook"} nan"#))
            #expect(text.contains("switchboard_outbox_oldest_due_seconds 0"))
        }
    }
}
