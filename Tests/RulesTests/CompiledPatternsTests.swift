import Foundation
import Pipeline
@testable import Rules
import TestSupport
import Testing

/// Loading rules again with the same patterns hands out the database compiled before; any change to the
/// patterns compiles a new one.
@Suite("Compiled pattern reuse")
struct CompiledPatternsTests {
    @Test("a reload with unchanged patterns reuses the compiled database; a changed lexicon term compiles anew, and both classify as written")
    func reuse() throws {
        let directory = try Fixtures.miniRuleDirectory(overriding: ["lexicons/outage.txt": "宕机\nreuse-probe-\(UUID().uuidString)\n"])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let first = try RuleDirectory.load(directory.path).rules
        let second = try RuleDirectory.load(directory.path).rules
        #expect(first.database === second.database)

        // An edit that leaves the patterns alone (a route's priority) still reuses it.
        let routes = directory.appendingPathComponent("routes.yaml")
        try (try String(contentsOf: routes, encoding: .utf8) + "\n# a comment\n").write(to: routes, atomically: true, encoding: .utf8)
        let third = try RuleDirectory.load(directory.path).rules
        #expect(third.version != first.version)
        #expect(third.database === first.database)

        try "宕机\nsystem down\n".write(to: directory.appendingPathComponent("lexicons/outage.txt"), atomically: true, encoding: .utf8)
        let changed = try RuleDirectory.load(directory.path).rules
        #expect(changed.database !== first.database)
        func fired(_ rules: RuleSet, _ text: String) -> Bool {
            rules.classify(ClassificationInput(channel: "webhook", source: "t", sender: "x", subject: nil, text: text)).firedSignals.contains("outage")
        }
        #expect(fired(changed, "the system down again"))
        #expect(!fired(first, "the system down again"))
        #expect(fired(first, "服务器宕机了") && fired(changed, "服务器宕机了"))
    }
}
