import Foundation
import Pipeline
import Rules
import StrictYAML
import TestSupport
import Testing

@Suite("Rule loading")
struct RuleLoadingTests {
    /// Loads a broken mini rule set and returns its problems.
    func problems(_ overrides: [String: String]) throws -> [Problem] {
        let directory = try Fixtures.miniRuleDirectory(overriding: overrides)
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        do {
            _ = try RuleDirectory.load(directory.path)
            Issue.record("broken rules loaded without error")
            return []
        } catch {
            return error.problems
        }
    }

    @Test("the shipped rules load and every golden case passes")
    func shippedRulesPass() throws {
        let edition = try RuleDirectory.load(Fixtures.shippedRules)
        let suite = try GoldenSuite.load(directory: Fixtures.shippedRules + "/tests")
        #expect(suite.cases.count >= 30)
        let failures = suite.run(edition.rules).filter { !$0.passed }
        #expect(failures.isEmpty, "\(failures.map { "\($0.testCase.name): \($0.failures)" })")
    }

    @Test("an unknown key is reported at its line and column")
    func unknownKey() throws {
        var routes = Fixtures.miniRules["routes.yaml"]!
        routes = routes.replacingOccurrences(of: "    queue: incidents\n", with: "    queue: incidents\n    qeue: general\n")
        let found = try problems(["routes.yaml": routes])
        #expect(found.count == 1)
        let problem = try #require(found.first)
        #expect(problem.file.hasSuffix("routes.yaml"))
        #expect(problem.line == 15)
        #expect(problem.column == 5)
        #expect(problem.message.contains("unknown key 'qeue'"))
    }

    @Test("a duplicate YAML key is refused with its position")
    func duplicateYAMLKey() throws {
        let sla = "policies:\n  - id: fast\n    first_response: 30m\n    first_response: 1h\n  - id: normal\n    first_response: 2h\n"
        let found = try problems(["sla.yaml": sla])
        let problem = try #require(found.first { $0.file.hasSuffix("sla.yaml") })
        #expect(problem.message.contains("duplicate key 'first_response'"))
        #expect(problem.line >= 3)
    }

    @Test("duplicate route ids, missing lexicons, scripts, queues and SLA policies are all reported in one run")
    func crossReferences() throws {
        var routes = Fixtures.miniRules["routes.yaml"]!
        routes = routes.replacingOccurrences(of: "  - id: vip\n    when", with: "  - id: incident\n    when")
        routes = routes.replacingOccurrences(of: "auto_reply: ack\n  - id: default", with: "auto_reply: ack-missing\n  - id: default")
        routes = routes.replacingOccurrences(of: "queue: complaints\n    priority: 2", with: "queue: nowhere\n    priority: 2")
        routes = routes.replacingOccurrences(of: "sla: fast", with: "sla: instant")
        var classifiers = Fixtures.miniRules["classifiers.yaml"]!
        classifiers = classifiers.replacingOccurrences(of: "lexicon: outage", with: "lexicon: outages")
        let found = try problems(["routes.yaml": routes, "classifiers.yaml": classifiers])
        let messages = found.map(\.message)
        #expect(messages.contains { $0.contains("duplicate route id 'incident'") })
        #expect(messages.contains { $0.contains("script 'ack-missing', which does not exist") })
        #expect(messages.contains { $0.contains("queue 'nowhere', which is not defined") })
        #expect(messages.contains { $0.contains("SLA policy 'instant', which is not defined") })
        #expect(messages.contains { $0.contains("lexicon 'outages', which does not exist") })
        #expect(found.allSatisfy { $0.line > 0 && $0.column > 0 })
    }

    @Test("a regex the linear-time engine cannot run is refused where it is written")
    func backreferenceRejected() throws {
        var classifiers = Fixtures.miniRules["classifiers.yaml"]!
        classifiers = classifiers.replacingOccurrences(of: "'waited \\d+ hours'", with: "'(a+)\\1'")
        let found = try problems(["classifiers.yaml": classifiers])
        let problem = try #require(found.first)
        #expect(problem.file.hasSuffix("classifiers.yaml"))
        #expect(problem.line == 15)
        #expect(problem.message.contains("regex '(a+)\\1'"))
        #expect(problem.message.contains("waited-hours"))
    }

    @Test("rules need exactly one default route")
    func defaultRoute() throws {
        var routes = Fixtures.miniRules["routes.yaml"]!
        routes = routes.replacingOccurrences(of: "    default: true\n", with: "")
        let found = try problems(["routes.yaml": routes])
        #expect(found.contains { $0.message.contains("exactly one route with `default: true`") })
    }

    @Test("a YAML syntax error names its position")
    func syntaxError() throws {
        let found = try problems(["sla.yaml": "policies:\n  - id: fast\n    first_response: [30m\n"])
        let problem = try #require(found.first)
        #expect(problem.message.hasPrefix("YAML syntax"))
        #expect(problem.line >= 3)
    }

    @Test("a syntax error in classifiers.yaml is the one problem reported, not every route that names a signal or an intent")
    func classifiersSyntaxErrorDoesNotCascade() throws {
        var routes = Fixtures.miniRules["routes.yaml"]!
        routes = routes.replacingOccurrences(of: "when: { customer_tier: vip }", with: "when: { intent: security }")
        let found = try problems(["classifiers.yaml": "urgency:\n  signals: [\n", "routes.yaml": routes])
        #expect(found.count == 1)
        let problem = try #require(found.first)
        #expect(problem.message.hasPrefix("YAML syntax"))
        #expect(problem.file.hasSuffix("classifiers.yaml"))
        // The same routes against a classifiers.yaml that reads but lacks the signal are still checked.
        let checked = try problems(["classifiers.yaml": Fixtures.miniRules["classifiers.yaml"]!.replacingOccurrences(of: "id: outage", with: "id: outages")])
        #expect(checked.contains { $0.message.contains("condition refers to signal 'outage', which is not defined in classifiers.yaml") })
    }

    @Test("a template using a delimiter change is refused at load time")
    func unsupportedTemplate() throws {
        let found = try problems(["scripts/ack/zh.mustache": "hi\n{{=<% %>=}}"])
        let problem = try #require(found.first)
        #expect(problem.file.hasSuffix("scripts/ack/zh.mustache"))
        #expect(problem.line == 2 && problem.column == 1)
    }
}

extension RuleLoadingTests {
    @Test("an automatically sent script that reads an agent-only variable is refused by rules check")
    func automaticReplyVariables() throws {
        let found = try problems(["scripts/ack/en.mustache": "Hi {{customer.address}}, {{agent.name}} here."])
        let problem = try #require(found.first)
        #expect(problem.file.hasSuffix("scripts/ack/en.mustache"))
        #expect(problem.message.contains("'agent.name'"))
    }
}

extension RuleLoadingTests {
    @Test("regex lists written once under YAML anchors are reused by alias and combined in one list")
    func anchoredRegexLists() throws {
        let classifiers = Fixtures.miniRules["classifiers.yaml"]!
            .replacingOccurrences(of: "      keywords: [着急, 急用, urgent, asap]\n", with: """
                      regex: &hurry ['\\bneed it by \\w+day\\b']
                    - id: hurry-again
                      weight: 4
                      regex: [*hurry, 'right now']

                """)
        let directory = try Fixtures.miniRuleDirectory(overriding: ["classifiers.yaml": classifiers])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let rules = try RuleDirectory.load(directory.path).rules
        func fired(_ text: String) -> [String] {
            rules.classify(ClassificationInput(channel: "webhook", source: "t", sender: "x", subject: nil, text: text)).firedSignals
        }
        #expect(fired("I need it by Friday").contains("hurry"))
        #expect(fired("I need it by Friday").contains("hurry-again"))
        #expect(fired("I want it right now") == ["hurry-again"])
        // A list nested deeper than one alias is still refused, with its position.
        let nested = classifiers.replacingOccurrences(of: "regex: [*hurry, 'right now']", with: "regex: [[*hurry], 'right now']")
        let found = try problems(["classifiers.yaml": nested])
        #expect(found.contains { $0.message.contains("each item of regex") })
    }
}
