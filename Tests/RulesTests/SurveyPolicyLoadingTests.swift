import Foundation
import Pipeline
import Rules
import StrictYAML
import SwitchboardCore
import TestSupport
import Testing

@Suite("surveys.yaml")
struct SurveyPolicyLoadingTests {
    /// A valid file for the mini rule directory (queues general, incidents, vip, complaints; policies fast, normal).
    static let valid = """
        kinds:
          csat: { script: ack }
        follow_up: { queue: complaints, sla: fast }
        """

    @Test("the shipped surveys.yaml sends CSAT after an hour, keeps NPS configured and follows up in escalations")
    func shipped() throws {
        let edition = try RuleDirectory.load(Fixtures.shippedRules)
        let surveys = try #require(edition.rules.surveys)
        #expect(surveys.delay == 3600)
        #expect(surveys.window == 7 * 86400)
        #expect(surveys.minInterval == 7 * 86400)
        #expect(surveys.send == .csat)
        #expect(surveys.sent == SurveyPolicy.Kind(script: "satisfaction-survey", followUpAtOrBelow: 2))
        #expect(surveys.kinds[.nps] == SurveyPolicy.Kind(script: "nps-survey", followUpAtOrBelow: 6))
        #expect(surveys.followUp == SurveyPolicy.FollowUp(queue: "escalations", slaPolicy: "follow-up", priority: 2))
        #expect(edition.scripts.scriptIDs.isSuperset(of: ["satisfaction-survey", "nps-survey"]))
    }

    @Test("defaults: 1h delay, 7d window and interval, csat sent, its line at 2, priority 2")
    func defaults() throws {
        let directory = try Fixtures.miniRuleDirectory(overriding: ["surveys.yaml": Self.valid])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let surveys = try #require(try RuleSetLoader(directory: directory.path).load().surveys)
        #expect(surveys == SurveyPolicy(
            delay: 3600, window: 7 * 86400, minInterval: 7 * 86400, send: .csat,
            kinds: [.csat: SurveyPolicy.Kind(script: "ack", followUpAtOrBelow: 2)],
            followUp: SurveyPolicy.FollowUp(queue: "complaints", slaPolicy: "fast", priority: 2)))
    }

    @Test("every setting written is read; zero delay and interval are allowed")
    func written() throws {
        let file = """
            delay: 0s
            window: 3d
            min_interval: 0s
            send: nps
            kinds:
              csat: { script: ack, follow_up_at_or_below: 3 }
              nps: { script: delay, follow_up_at_or_below: 0 }
            follow_up: { queue: vip, sla: normal, priority: 1 }
            """
        let directory = try Fixtures.miniRuleDirectory(overriding: ["surveys.yaml": file])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let surveys = try #require(try RuleSetLoader(directory: directory.path, availableScripts: ["ack", "delay"]).load().surveys)
        #expect(surveys.delay == 0)
        #expect(surveys.window == 3 * 86400)
        #expect(surveys.minInterval == 0)
        #expect(surveys.send == .nps)
        #expect(surveys.sent == SurveyPolicy.Kind(script: "delay", followUpAtOrBelow: 0))
        #expect(surveys.kinds[.csat]?.followUpAtOrBelow == 3)
        #expect(surveys.followUp == SurveyPolicy.FollowUp(queue: "vip", slaPolicy: "normal", priority: 1))
    }

    @Test("without surveys.yaml there are no survey rules, and no follow-up")
    func absent() throws {
        let directory = try Fixtures.miniRuleDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let rules = try RuleSetLoader(directory: directory.path).load()
        #expect(rules.surveys == nil)
        #expect(rules.surveyFollowUp(for: .csat, answeredAt: Date(timeIntervalSince1970: 0)) == nil)
    }

    @Test("surveys.yaml is part of the rules version")
    func versioned() throws {
        let directory = try Fixtures.miniRuleDirectory(overriding: ["surveys.yaml": Self.valid])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let first = try RuleSetLoader(directory: directory.path).load()
        try Fixtures.write(["surveys.yaml": Self.valid + "\ndelay: 2h\n"], under: directory)
        let second = try RuleSetLoader(directory: directory.path).load()
        #expect(first.version != second.version)
        #expect(second.surveys?.delay == 7200)
    }

    @Test("the follow-up placement: the file's queue, policy and priority, the kind's line, the policy's first response from the answer")
    func followUpPlacement() throws {
        let file = """
            kinds:
              csat: { script: ack }
              nps: { script: ack, follow_up_at_or_below: 5 }
            follow_up: { queue: complaints, sla: fast, priority: 3 }
            """
        let directory = try Fixtures.miniRuleDirectory(overriding: ["surveys.yaml": file])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let rules = try RuleSetLoader(directory: directory.path).load()
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(rules.surveyFollowUp(for: .csat, answeredAt: at)
            == FollowUpPlacement(queue: "complaints", slaPolicy: "fast", priority: 3, dueAt: at.addingTimeInterval(1800), atOrBelow: 2))
        #expect(rules.surveyFollowUp(for: .nps, answeredAt: at)?.atOrBelow == 5)
    }

    @Test("the shipped follow-up is due 24 hours after the answer")
    func shippedPlacement() throws {
        let rules = try RuleSetLoader(directory: Fixtures.shippedRules).load()
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let placement = try #require(rules.surveyFollowUp(for: .csat, answeredAt: at))
        #expect(placement == FollowUpPlacement(queue: "escalations", slaPolicy: "follow-up", priority: 2, dueAt: at.addingTimeInterval(86400), atOrBelow: 2))
    }

    @Test("a kind the rules no longer configure is answered without a follow-up")
    func unconfiguredKind() throws {
        let directory = try Fixtures.miniRuleDirectory(overriding: ["surveys.yaml": Self.valid])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let rules = try RuleSetLoader(directory: directory.path).load()
        #expect(rules.surveyFollowUp(for: .nps, answeredAt: Date(timeIntervalSince1970: 0)) == nil)
    }

    /// Each broken file has exactly one problem, at a known line and column.
    static let broken: [(String, Int, Int, String)] = [
        ("kinds: { csat: { script: ack } }\nfollow_up: { queue: general, sla: fast }\nwindows: 7d\n", 3, 1, "unknown key 'windows' in surveys.yaml"),
        ("delay: soon\nkinds: { csat: { script: ack } }\nfollow_up: { queue: general, sla: fast }\n", 1, 8, "delay 'soon' is not a duration"),
        ("window: 0s\nkinds: { csat: { script: ack } }\nfollow_up: { queue: general, sla: fast }\n", 1, 9, "window '0s' is not a duration"),
        ("min_interval: 7 days\nkinds: { csat: { script: ack } }\nfollow_up: { queue: general, sla: fast }\n", 1, 15, "min_interval '7 days' is not a duration"),
        ("delay: [1h]\nkinds: { csat: { script: ack } }\nfollow_up: { queue: general, sla: fast }\n", 1, 8, "delay must be a text value"),
        ("follow_up: { queue: general, sla: fast }\n", 1, 1, "surveys.yaml is missing required key 'kinds'"),
        ("kinds: {}\nfollow_up: { queue: general, sla: fast }\n", 1, 8, "kinds lists no survey kind"),
        ("kinds: [csat]\nfollow_up: { queue: general, sla: fast }\n", 1, 8, "kinds must be a mapping"),
        ("kinds:\n  csat: { script: ack }\n  ces: { script: ack }\nfollow_up: { queue: general, sla: fast }\n", 3, 3, "unknown key 'ces' in kinds (expected one of: csat, nps)"),
        ("kinds:\n  csat: { follow_up_at_or_below: 2 }\nfollow_up: { queue: general, sla: fast }\n", 2, 9, "kind csat is missing required key 'script'"),
        ("kinds:\n  csat: { script: ack, threshold: 2 }\nfollow_up: { queue: general, sla: fast }\n", 2, 24, "unknown key 'threshold' in kind csat"),
        ("kinds:\n  csat: { script: ack, follow_up_at_or_below: 6 }\nfollow_up: { queue: general, sla: fast }\n", 2, 47, "follow_up_at_or_below 6 is outside the csat scale (1 to 5)"),
        ("kinds:\n  csat: { script: ack, follow_up_at_or_below: 0 }\nfollow_up: { queue: general, sla: fast }\n", 2, 47, "outside the csat scale"),
        ("kinds:\n  csat: { script: ack }\n  nps: { script: ack, follow_up_at_or_below: 11 }\nfollow_up: { queue: general, sla: fast }\n", 3, 46, "follow_up_at_or_below 11 is outside the nps scale (0 to 10)"),
        ("kinds:\n  csat: { script: ack, follow_up_at_or_below: low }\nfollow_up: { queue: general, sla: fast }\n", 2, 47, "'follow_up_at_or_below' must be a whole number"),
        ("send: ces\nkinds: { csat: { script: ack } }\nfollow_up: { queue: general, sla: fast }\n", 1, 7, "send 'ces' is not a survey kind"),
        ("send: nps\nkinds: { csat: { script: ack } }\nfollow_up: { queue: general, sla: fast }\n", 1, 7, "send: nps names a kind that is not configured under kinds"),
        ("kinds:\n  nps: { script: ack }\nfollow_up: { queue: general, sla: fast }\n", 2, 3, "kinds has no csat, the kind sent by default"),
        ("kinds: { csat: { script: ack } }\n", 1, 1, "surveys.yaml is missing required key 'follow_up'"),
        ("kinds: { csat: { script: ack } }\nfollow_up: { sla: fast }\n", 2, 12, "follow_up is missing required key 'queue'"),
        ("kinds: { csat: { script: ack } }\nfollow_up: { queue: general }\n", 2, 12, "follow_up is missing required key 'sla'"),
        ("kinds: { csat: { script: ack } }\nfollow_up: { queue: supervisors, sla: fast }\n", 2, 21, "follow_up queue 'supervisors' is not defined under queues in routes.yaml"),
        ("kinds: { csat: { script: ack } }\nfollow_up: { queue: general, sla: follow-up }\n", 2, 35, "follow_up uses SLA policy 'follow-up', which is not defined in sla.yaml"),
        ("kinds: { csat: { script: ack } }\nfollow_up: { queue: general, sla: fast, priority: 5 }\n", 2, 51, "priority must be 1 (most urgent) to 4"),
        ("kinds: { csat: { script: ack } }\nfollow_up: { queue: general, sla: fast, notify: [supervisors] }\n", 2, 41, "unknown key 'notify' in follow_up"),
        ("kinds: { csat: { script: ack } }\nfollow_up: escalations\n", 2, 12, "follow_up must be a mapping"),
        ("- csat\n", 1, 1, "surveys.yaml must be a mapping"),
    ]

    @Test("every problem in surveys.yaml is reported at its line and column", arguments: broken)
    func problems(_ file: String, _ line: Int, _ column: Int, _ message: String) throws {
        try expectOneProblem(in: "surveys.yaml", file, line: line, column: column, message: message)
    }

    @Test("a script that does not exist under scripts/ is refused where it is named")
    func missingScript() throws {
        let file = "kinds:\n  csat: { script: ack }\n  nps: { script: nps-survey }\nfollow_up: { queue: general, sla: fast }\n"
        let directory = try Fixtures.miniRuleDirectory(overriding: ["surveys.yaml": file])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        do {
            _ = try RuleSetLoader(directory: directory.path, availableScripts: ["ack", "delay"]).load()
            Issue.record("loaded without a problem")
        } catch {
            #expect(error.problems.count == 1, "\(error.problems)")
            let problem = try #require(error.problems.first)
            #expect(problem.message.contains("kind nps asks with script 'nps-survey', which does not exist under scripts/"), "\(problem)")
            #expect(problem.line == 3 && problem.column == 18, "\(problem)")
        }
        // Loaded as a whole directory, the scripts on disk are the ones checked.
        #expect(throws: Problems.self) { try RuleDirectory.load(directory.path) }
    }

    @Test("a duplicate key in surveys.yaml is refused with its position")
    func duplicateKey() throws {
        let directory = try Fixtures.miniRuleDirectory(overriding: ["surveys.yaml": Self.valid + "\ndelay: 1h\ndelay: 2h\n"])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        do {
            _ = try RuleSetLoader(directory: directory.path).load()
            Issue.record("loaded without a problem")
        } catch {
            let problem = try #require(error.problems.first)
            #expect(problem.file.hasSuffix("surveys.yaml"))
            #expect(problem.message.contains("duplicate key 'delay'"), "\(problem)")
            #expect(problem.line > 0)
        }
    }
}
