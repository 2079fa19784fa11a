import Foundation

/// Paths and scratch space shared by the tests.
public enum Fixtures {
    /// The repository root, found from this file's location.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shipped rules, as ops keep them.
    public static var shippedRules: String { repositoryRoot.appendingPathComponent("Rules").path }

    /// A fresh temporary directory, removed by the caller's `defer`.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-test-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A copy of the shipped rules that a test may break.
    public static func copyOfShippedRules() throws -> URL {
        let directory = try temporaryDirectory().appendingPathComponent("Rules")
        try FileManager.default.copyItem(atPath: shippedRules, toPath: directory.path)
        return directory
    }

    /// Writes files (relative path → content) under `directory`.
    public static func write(_ files: [String: String], under directory: URL) throws {
        for (path, content) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        }
    }

    /// A small, self-contained rule set whose behaviour the tests pin down exactly.
    public static let miniRules: [String: String] = [
        "classifiers.yaml": """
            negation:
              window: 4
              terms: [不, 没有, not, "no"]
            urgency:
              levels: { critical: 8, high: 4, normal: 0 }
              signals:
                - id: outage
                  weight: 8
                  lexicon: outage
                - id: hurry
                  weight: 4
                  keywords: [着急, 急用, urgent, asap]
                - id: waited-hours
                  weight: 4
                  regex: ['已经(过去|等了)\\d+(个)?小时', 'waited \\d+ hours']
                - id: vip
                  weight: 2
                  when: { customer_tier: [vip, strategic] }
            sentiment:
              levels: { negative: -3, positive: 3 }
              signals:
                - id: anger
                  weight: -4
                  keywords: [态度太差, 態度太差, terrible service]
                - id: thanks
                  weight: 3
                  keywords: [谢谢, thank you]
            """,
        "lexicons/outage.txt": """
            # service down
            宕机
            無法登錄
            无法登录
            down
            outage
            """,
        "routes.yaml": """
            queues:
              - id: general
                name: { zh: 综合, en: General }
                team: { zh: 客服组, en: the support team }
              - id: incidents
                name: Incidents
              - id: vip
                name: VIP
              - id: complaints
                name: Complaints
            routes:
              - id: incident
                when: { signal: outage }
                queue: incidents
                priority: 1
                sla: fast
                stop: true
              - id: vip
                when: { customer_tier: vip }
                queue: vip
                priority: 2
              - id: angry
                when:
                  all:
                    - sentiment: negative
                    - not: { channel: sms }
                queue: complaints
                priority: 2
                auto_reply: ack
              - id: default
                default: true
                queue: general
                priority: 3
                sla: normal
                auto_reply: ack
            """,
        "sla.yaml": """
            policies:
              - id: fast
                first_response: 30m
              - id: normal
                first_response: 2h
                resolution: 1d
            """,
        "customers.yaml": """
            default_tier: ordinary
            customers:
              - { address: boss@example.com, tier: vip }
            domains:
              - { domain: partner.example, tier: strategic }
            """,
        "replies.yaml": """
            default_language: en
            languages: [zh, en]
            forbidden_phrases: [尽快, as soon as possible]
            """,
        "scripts/ack/en.mustache": "Hello {{customer.address}}, ticket {{conversation.reference}}: {{queue.team}} will answer within {{sla.first_response}} (by {{sla.due}}).",
        "scripts/ack/zh.mustache": "您好，工单 {{conversation.reference}}：{{queue.team}}将在{{sla.first_response}}内回复（{{sla.due}}前）。",
        "scripts/delay/en.mustache": "{{! needs: new_time }}Sorry for the wait, {{customer.address}}. {{agent.name}} will call you by {{new_time}} <b>&</b>.",
    ]

    /// Writes ``miniRules`` with some files replaced, returning the directory.
    public static func miniRuleDirectory(overriding overrides: [String: String] = [:]) throws -> URL {
        let directory = try temporaryDirectory().appendingPathComponent("Rules")
        try write(miniRules.merging(overrides) { _, new in new }, under: directory)
        return directory
    }
}
