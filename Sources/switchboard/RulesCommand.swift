import ArgumentParser
import Foundation
import Gateway
import Rules
import StrictYAML

struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Check and test rule files.", subcommands: [Check.self, Test.self, Eval.self, Replay.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a rules directory; print every problem as path:line:column: message.")

        @Option(help: "Rules directory.") var rules = "Rules"

        func run() async throws {
            let edition = try CommandSupport.orExit { () throws(Problems) in try RuleDirectory.load(rules, channels: CommandSupport.channels) }
            print("ok: rules \(edition.rules.version): \(edition.rules.signals.count) signals, \(edition.rules.patternCount) terms and patterns, \(edition.rules.routes.count) routes, \(edition.scripts.scriptIDs.count) scripts")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the golden cases in <rules>/tests against the rules.")

        @Option(help: "Rules directory.") var rules = "Rules"

        func run() async throws {
            let edition = try CommandSupport.orExit { () throws(Problems) in try RuleDirectory.load(rules, channels: CommandSupport.channels) }
            let suite = try CommandSupport.orExit { () throws(Problems) in
                try GoldenSuite.load(directory: (rules as NSString).appendingPathComponent("tests"))
            }
            let results = suite.run(edition.rules)
            var failed = 0
            for result in results where !result.passed {
                failed += 1
                print("FAIL \(result.testCase.origin): \(result.testCase.name)")
                for failure in result.failures { print("    \(failure)") }
            }
            print("\(results.count - failed) passed, \(failed) failed")
            if results.isEmpty {
                print("no golden cases found under \(rules)/tests")
                throw ExitCode(1)
            }
            if failed > 0 { throw ExitCode(1) }
        }
    }
}

import Pipeline
