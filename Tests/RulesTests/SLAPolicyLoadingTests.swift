import Foundation
import Pipeline
import Rules
import StrictYAML
import SwitchboardCore
import TestSupport
import Testing

@Suite("SLA policies: clocks, warnings, pauses, breaches and escalation levels")
struct SLAPolicyLoadingTests {
    /// The mini rules' policies plus a third one whose last line is `line`.
    static func sla(_ line: String, firstResponse: String = "1h") -> String {
        Fixtures.miniRules["sla.yaml"]! + "\n  - id: broken\n    first_response: \(firstResponse)\n    \(line)\n"
    }

    static let escalation = """
        escalation:
          - { level: 1, queue: incidents, sla: fast }
          - { level: 2, queue: incidents, sla: fast, description: serious }
          - { level: 3, queue: complaints, sla: normal }
          - { level: 4, queue: general, sla: normal, priority: 4 }

        """

    static func routes(escalation: String = SLAPolicyLoadingTests.escalation) -> String { Fixtures.miniRules["routes.yaml"]! + "\n" + escalation }

    /// Loads the mini rules with some files replaced.
    static func load(_ overrides: [String: String]) throws(Problems) -> RuleSet {
        let directory = try! Fixtures.miniRuleDirectory(overriding: overrides)
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        return try RuleDirectory.load(directory.path).rules
    }

    /// The problems of a broken set, which must not load.
    static func problems(_ overrides: [String: String]) -> [Problem] {
        do {
            _ = try load(overrides)
            Issue.record("broken rules loaded without error")
            return []
        } catch {
            return error.problems
        }
    }

    /// Line and column (1-based) of `token` on the first line of `text` that contains `marker`.
    static func position(of token: String, onLineWith marker: String, in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let index = lines.firstIndex(where: { $0.contains(marker) }), let range = lines[index].range(of: token) else { return nil }
        return (index + 1, lines[index].unicodeScalars.distance(from: lines[index].startIndex, to: range.lowerBound) + 1)
    }

    @Test("the shipped policies carry the standards' clocks, warnings, pauses, breach actions and four escalation levels")
    func shipped() throws {
        let rules = try RuleDirectory.load(Fixtures.shippedRules).rules
        let crisis = try #require(rules.slaPolicies["crisis"])
        #expect(crisis.firstResponse == 900)
        #expect(crisis.updateEvery == 900)
        #expect(crisis.resolution == 4.0 * 3600)
        #expect(crisis.followUp == 24.0 * 3600)
        #expect(crisis.warnBefore == .fraction(0.2))
        #expect(crisis.pauseIn.isEmpty)
        #expect(crisis.onBreach == BreachActions(escalateToQueue: "escalations", raisePriority: 1, notify: ["supervisors", "management"]))
        #expect(crisis.clocks == [.firstResponse, .resolution, .updateEvery, .followUp])
        let complaint = try #require(rules.slaPolicies["complaint"])
        #expect(complaint.calendar == "cn-support")
        #expect(complaint.pauses(in: "waiting_on_customer"))
        #expect(complaint.target(for: .nextResponse) == ClockTarget(policy: "complaint", seconds: 7200, calendar: "cn-support", warnBefore: .fraction(0.2)))
        #expect(rules.slaPolicies["general-request"]?.warnBefore == .seconds(4 * 3600))
        for policy in rules.slaPolicies.values {
            #expect(policy.warnBefore != nil, "\(policy.id) warns")
            #expect(policy.onBreach.escalateToQueue == "escalations", "\(policy.id) escalates to supervisors")
            #expect(policy.followUp.map { $0 <= 24 * 3600 } ?? true)
        }
        #expect(rules.escalation.map(\.level) == [1, 2, 3, 4])
        #expect(rules.escalation(level: 1) == EscalationRoute(level: 1, queue: "escalations", slaPolicy: "crisis", priority: 1))
        #expect(rules.escalation(level: 4)?.queue == "complaints")
        #expect(rules.escalation(level: 5) == nil)
    }

    @Test("every new key of a policy is read, and the escalation section gives each level its queue, policy and priority")
    func validKeys() throws {
        let sla = Self.sla("""
            next_response: 45m
                resolution: 8h
                update_every: 15m
                follow_up: 24h
                warn_before: 12.5%
                pause_in: waiting_on_customer
                on_breach:
                  escalate_to_queue: complaints
                  raise_priority: 1
                  notify: [supervisors, night-duty]
              - id: fixed
                first_response: 30m
                warn_before: 10m
                on_breach: { notify: supervisors }
            """)
        let rules = try Self.load(["sla.yaml": sla, "routes.yaml": Self.routes()])
        let broken = try #require(rules.slaPolicies["broken"])
        #expect(broken.firstResponse == 3600)
        #expect(broken.nextResponse == 2700)
        #expect(broken.resolution == 8.0 * 3600)
        #expect(broken.updateEvery == 900)
        #expect(broken.followUp == 86400)
        #expect(broken.warnBefore == .fraction(0.125))
        #expect(broken.pauseIn == ["waiting_on_customer"])
        #expect(broken.onBreach == BreachActions(escalateToQueue: "complaints", raisePriority: 1, notify: ["supervisors", "night-duty"]))
        #expect(broken.target(for: .firstResponse)?.warningThreshold == 3600 * 0.875)
        #expect(broken.target(for: .updateEvery)?.warningThreshold == 900 * 0.875)
        let fixed = try #require(rules.slaPolicies["fixed"])
        #expect(fixed.warnBefore == .seconds(600))
        #expect(fixed.target(for: .firstResponse)?.warningThreshold == 1200)
        #expect(fixed.onBreach.notify == ["supervisors"])
        #expect(fixed.target(for: .resolution) == nil)
        // Policies without the new keys keep their old meaning.
        let normal = try #require(rules.slaPolicies["normal"])
        #expect(normal.firstResponse == 7200 && normal.resolution == 86400 && normal.warnBefore == nil && normal.pauseIn.isEmpty && normal.onBreach.isEmpty)
        #expect(rules.escalation.map(\.priority) == [1, 2, 3, 4])
        #expect(rules.escalation(level: 3) == EscalationRoute(level: 3, queue: "complaints", slaPolicy: "normal", priority: 3))
    }

    @Test("without an escalation section the rules load and nothing names a level")
    func escalationOptional() throws {
        let rules = try Self.load([:])
        #expect(rules.escalation.isEmpty)
        #expect(rules.slaPolicies["fast"]?.clocks == [.firstResponse])
    }

    /// (the policy's last line, the token the problem must point at, words of the message)
    static let invalidPolicyLines: [(String, String, String)] = [
        ("warn_before: 100%", "100%", "above 0% and below 100%"),
        ("warn_before: 0%", "0%", "above 0% and below 100%"),
        ("warn_before: soon", "soon", "neither a duration"),
        ("warn_before: 1h", "1h", "not shorter than the first_response clock (1h)"),
        ("follow_up: 25h", "25h", "at most 24h"),
        ("update_every: often", "often", "not a duration"),
        ("next_response: [30m]", "[", "must be a text value"),
        ("pause_in: [waiting_on_customer, assigned]", "assigned", "not a state SLA clocks can pause in (expected: waiting_on_customer)"),
        ("pause_in: [waiting_on_customer, waiting_on_customer]", "waiting_on_customer]", "listed twice"),
        ("on_breach: { escalate_to_queue: nowhere }", "nowhere", "escalates to queue 'nowhere' on breach, which is not defined"),
        ("on_breach: { raise_priority: 0 }", "0", "raise_priority must be a priority from 1"),
        ("on_breach: { raise_priority: high }", "high", "must be a whole number"),
        ("on_breach: { notify: [] }", "[]", "at least one target"),
        ("on_breach: { notify: [\"\", ok] }", "\"\"", "not a notification target name"),
        ("on_breach: { notify: [duty desk] }", "duty desk", "not a notification target name"),
        ("on_breach: { notify: [ops, ops] }", "ops]", "listed twice"),
        ("on_breach: {}", "{}", "sets no action"),
        ("on_breach: { escalate: general }", "escalate", "unknown key 'escalate' in on_breach"),
        ("on_breach: page-someone", "page-someone", "on_breach must be a mapping"),
        ("pause: [waiting_on_customer]", "pause", "unknown key 'pause' in SLA policy"),
    ]

    @Test("each invalid SLA key is reported once, at its file, line and column", arguments: SLAPolicyLoadingTests.invalidPolicyLines.indices)
    func invalidPolicy(_ index: Int) throws {
        let (line, token, message) = Self.invalidPolicyLines[index]
        let sla = Self.sla(line)
        let found = Self.problems(["sla.yaml": sla])
        #expect(found.count == 1, "\(line): \(found)")
        let problem = try #require(found.first)
        let expected = try #require(Self.position(of: token, onLineWith: line, in: sla))
        #expect(problem.file.hasSuffix("sla.yaml"))
        #expect(problem.line == expected.line, "\(line): \(problem)")
        #expect(problem.column == expected.column, "\(line): \(problem)")
        #expect(problem.message.contains(message), "\(line): \(problem)")
    }

    @Test("a fixed warning must be shorter than every clock of its policy: the longest clock alone is fine, the short one is named")
    func warningLongerThanAClock() throws {
        let sla = Self.sla("resolution: 4h\n    update_every: 15m\n    warn_before: 30m", firstResponse: "1h")
        let found = Self.problems(["sla.yaml": sla])
        #expect(found.count == 1)
        #expect(found.first?.message.contains("update_every clock (15m)") == true)
        #expect(found.first?.line == Self.position(of: "30m", onLineWith: "warn_before", in: sla)?.line)
    }

    /// (a replacement for the escalation section, the marker of the line and the token the problem must
    /// point at, words of the message)
    static let invalidEscalations: [(String, String, String, String)] = [
        ("  - { level: 4, queue: nowhere, sla: normal }", "level: 4", "nowhere", "queue 'nowhere', which is not defined"),
        ("  - { level: 4, queue: general, sla: slow }", "level: 4", "slow", "SLA policy 'slow', which is not defined"),
        ("  - { level: 4, queue: general, sla: normal, priority: 5 }", "level: 4", "5", "priority must be 1"),
        ("  - { level: 4, queue: general }", "level: 4", "{", "missing required key 'sla'"),
        ("  - { level: 4, queue: general, sla: normal, team: night }", "level: 4", "team", "unknown key 'team'"),
        ("  - { level: 3, queue: general, sla: normal }", "level: 3, queue: general", "3", "level 3 is listed twice (first at line"),
        ("  - { level: 5, queue: general, sla: normal }", "level: 5", "5", "must be 1 (major), 2 (serious), 3 (general) or 4 (minor)"),
    ]

    @Test("each invalid escalation level is reported once, at its position", arguments: SLAPolicyLoadingTests.invalidEscalations.indices)
    func invalidEscalation(_ index: Int) throws {
        let (replacement, marker, token, message) = Self.invalidEscalations[index]
        let escalation = Self.escalation.replacingOccurrences(of: "  - { level: 4, queue: general, sla: normal, priority: 4 }", with: replacement)
        let routes = Self.routes(escalation: escalation)
        var found = Self.problems(["routes.yaml": routes])
        // A replaced level 4 leaves level 4 missing too.
        let missing = found.filter { $0.message.contains("must name every level from 1 to 4; missing: 4") }
        if !replacement.contains("level: 4") { #expect(missing.count == 1) }
        found.removeAll { missing.contains($0) }
        #expect(found.count == 1, "\(replacement): \(found)")
        let problem = try #require(found.first)
        let expected = try #require(Self.position(of: token, onLineWith: marker, in: routes))
        #expect(problem.file.hasSuffix("routes.yaml"))
        #expect(problem.line == expected.line, "\(replacement): \(problem)")
        #expect(problem.column == expected.column, "\(replacement): \(problem)")
        #expect(problem.message.contains(message), "\(replacement): \(problem)")
    }

    @Test("an escalation section that leaves out levels names the missing ones at the section")
    func missingLevels() throws {
        let escalation = "escalation:\n  - { level: 2, queue: general, sla: normal }\n"
        let routes = Self.routes(escalation: escalation)
        let found = Self.problems(["routes.yaml": routes])
        #expect(found.count == 1)
        let problem = try #require(found.first)
        #expect(problem.message.contains("missing: 1, 3, 4"))
        #expect(problem.line == Self.position(of: "-", onLineWith: "level: 2", in: routes)?.line)
    }
}
