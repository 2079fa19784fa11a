import Foundation
import Rules
import TestSupport
import Testing

/// Loads a minimal rules directory whose `name` holds `text`, and expects exactly one problem, in that
/// file, at `line` and `column`, whose message contains `message`.
func expectOneProblem(
    in name: String, _ text: String, line: Int, column: Int, message: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let directory = try Fixtures.miniRuleDirectory(overriding: [name: text])
    defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
    do {
        _ = try RuleSetLoader(directory: directory.path).load()
        Issue.record("loaded without a problem", sourceLocation: sourceLocation)
    } catch {
        #expect(error.problems.count == 1, "\(error.problems)", sourceLocation: sourceLocation)
        let problem = try #require(error.problems.first, sourceLocation: sourceLocation)
        #expect(problem.file.hasSuffix(name), sourceLocation: sourceLocation)
        #expect(problem.message.contains(message), "\(problem.message)", sourceLocation: sourceLocation)
        #expect(problem.line == line, "\(problem)", sourceLocation: sourceLocation)
        #expect(problem.column == column, "\(problem)", sourceLocation: sourceLocation)
    }
}
