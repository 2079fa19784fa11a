import Replies
import Rules
import StrictYAML
import SwitchboardCore

/// Loading a whole rules directory (rules and reply scripts) as one edition, with every problem in any
/// file reported together.
public enum RuleDirectory {
    /// Loads and cross-checks `directory`; throws all problems found.
    /// - Parameter channels: the channels rules and script variants may name: those the gateway runs.
    public static func load(_ directory: String, channels: [ChannelKind] = ChannelKind.known) throws(Problems) -> RuleBook.Edition {
        var problems: [Problem] = []
        var scripts: ScriptLibrary?
        do {
            scripts = try ScriptLibrary.load(rulesDirectory: directory, channels: channels)
        } catch {
            problems += error.problems
        }
        var rules: RuleSet?
        do {
            rules = try RuleSetLoader(directory: directory, availableScripts: scripts?.scriptIDs, channels: channels).load()
        } catch {
            problems += error.problems
        }
        // An automatic reply only has the conversation's own variables; one that needs more would fail on
        // every message it should acknowledge, so it is refused here instead.
        if let rules, let scripts {
            for script in rules.autoReplyScripts.sorted() {
                for (path, variable) in scripts.unavailableVariables(of: script, available: ReplyContext.automaticVariables) {
                    problems.append(Problem(
                        file: path, line: 1, column: 1,
                        message: "script '\(script)' is sent automatically but reads '\(variable)', which automatic replies do not have (they have: \(ReplyContext.automaticVariables.sorted().joined(separator: ", ")))"))
                }
            }
        }
        guard let rules, let scripts, problems.isEmpty else { throw Problems(problems) }
        return RuleBook.Edition(rules: rules, scripts: scripts)
    }
}
