import Pipeline
import Replies
import Rules
import StrictYAML

/// Loading a whole rules directory (rules and reply scripts) as one edition, with every problem in any
/// file reported together.
public enum RuleDirectory {
    /// Loads and cross-checks `directory`; throws all problems found.
    public static func load(_ directory: String) throws(Problems) -> RuleBook.Edition {
        var problems: [Problem] = []
        var scripts: ScriptLibrary?
        do {
            scripts = try ScriptLibrary.load(rulesDirectory: directory)
        } catch {
            problems += error.problems
        }
        var rules: RuleSet?
        do {
            rules = try RuleSetLoader(directory: directory, availableScripts: scripts?.scriptIDs).load()
        } catch {
            problems += error.problems
        }
        guard let rules, let scripts, problems.isEmpty else { throw Problems(problems) }
        return RuleBook.Edition(rules: rules, scripts: scripts)
    }
}
