import Conversations
import Foundation
import Gateway
import TestSupport
import Testing

/// The `notifications:` section: what a target reads as, and every mistake named at its position.
@Suite("Notification settings")
struct NotificationSettingsTests {
    static let environment = ["HOOK_SECRET": "whsec_bm90aWZpY2F0aW9uLXNlY3JldC1mb3ItdGhlLXRlc3Rz"]

    @Test("a target loads with its events, queues and quiet hours; defaults are every event, every queue and the policy's calendar")
    func loads() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.write(["Config/switchboard.yaml": """
            notifications:
              targets:
                - id: supervisors
                  url: https://hooks.example.com/sla
                  secret: { env: HOOK_SECRET }
                  events: [sla.warning, conversation.escalated]
                  queues: [complaints]
                  quiet_hours: cn-support
                - id: everything
                  url: http://127.0.0.1:9098/all
                  secret: { env: HOOK_SECRET }
            """], under: directory)
        let configuration = try GatewayConfiguration.load(
            path: directory.appendingPathComponent("Config/switchboard.yaml").path, environment: Self.environment)
        #expect(configuration.notifications.map(\.target) == [
            NotificationTarget(id: "supervisors", events: [.slaWarning, .conversationEscalated], queues: ["complaints"], quietHours: .calendar("cn-support")),
            NotificationTarget(id: "everything"),
        ])
        #expect(configuration.notifications.first?.endpoint.url == "https://hooks.example.com/sla")
        #expect(!configuration.developmentDefaultsInUse.contains { $0.contains("supervisors") })
    }

    @Test("mistakes are named: an unknown event, a URL that is not http, a secret that is not whsec_, an inline secret, a duplicate id, an unknown key")
    func refused() throws {
        func problems(_ target: String) throws -> [String] {
            try Fixtures.configurationProblems("notifications:\n  targets:\n" + target, environment: Self.environment)
        }
        let good = "    url: https://h.example.com/x\n    secret: { env: HOOK_SECRET }\n"
        #expect(try problems("  - id: a\n" + good + "    events: [sla.breach]\n").contains { $0.contains("'sla.breach' is not a notification event") })
        #expect(try problems("  - id: a\n    url: ftp://h.example.com\n    secret: { env: HOOK_SECRET }\n").contains { $0.contains("must be an http:// or https:// URL") })
        #expect(try problems("  - id: a\n    url: https://h.example.com\n    secret: { env: PLAIN }\n").contains { $0.contains("secret of notification target 'a'") })
        #expect(try problems("  - id: a\n    url: https://h.example.com\n    secret: whsec_abc\n").contains { $0.contains("is a secret") })
        #expect(try problems("  - id: a\n" + good + "  - id: a\n" + good).contains { $0.contains("defined twice") })
        #expect(try problems("  - id: a\n" + good + "    retries: 3\n").contains { $0.contains("retries") })
        #expect(try problems("  - id: two words\n" + good).contains { $0.contains("without spaces") })
    }

    @Test("a development default secret off loopback is refused like any other")
    func developmentDefaultOffLoopback() throws {
        let found = try Fixtures.configurationProblems("""
            server: { host: 0.0.0.0 }
            notifications:
              targets:
                - id: a
                  url: https://h.example.com/x
                  secret: { env: UNSET_SECRET, development_default: "whsec_bm90aWZpY2F0aW9uLXNlY3JldC1mb3ItdGhlLXRlc3Rz" }
            """, environment: [:])
        #expect(found.contains { $0.contains("development default secrets are in use") && $0.contains("secret of notification target 'a'") })
    }
}
