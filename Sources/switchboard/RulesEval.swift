import ArgumentParser
import Foundation
import Gateway
import Pipeline
import Rules
import StrictYAML

extension RulesCommand {
    /// `switchboard rules eval`: how well the rules read a labelled corpus.
    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Classify a labelled corpus (JSON lines with urgency, sentiment, strength and intent) and report accuracy, per-class precision/recall/F1, confusion matrices and every misclassified message with its explanation.")

        @Option(help: "Rules directory.") var rules = "Rules"
        @Option(name: .customLong("labelled"), help: "A .jsonl file or a directory of them (not recursive); repeatable. Default: <rules>/tests/labelled.")
        var labelled: [String] = []
        @Option(help: "Fail when urgent-or-not or negative-or-not accuracy is below this (0-1).") var minAccuracy: Double?
        @Option(help: "Fail when urgent-or-not accuracy is below this.") var minUrgentAccuracy: Double?
        @Option(help: "Fail when negative-or-not accuracy is below this.") var minNegativeAccuracy: Double?
        @Option(name: .customLong("min-intent-f1"), help: "Fail when intent macro-F1 is below this.") var minIntentF1: Double?
        @Flag(help: "Skip the spelling-variant check (Traditional, full-width, invisible characters).") var noVariants = false
        @Option(help: "Print at most this many misclassified messages (all by default).") var misses: Int?
        @Flag(help: "Print the whole report as one JSON object.") var json = false

        func run() async throws {
            let edition = try CommandSupport.orExit { () throws(Problems) in try RuleDirectory.load(rules, channels: CommandSupport.channels) }
            let paths = labelled.isEmpty ? [(rules as NSString).appendingPathComponent("tests/labelled")] : labelled
            let corpus: [LabelledMessage]
            do {
                corpus = try LabelledMessage.load(paths)
                try LabelledMessage.checkIntents(corpus, against: edition.rules)
            } catch {
                CommandSupport.fail(error.description)
                throw ExitCode(2)
            }
            guard !corpus.isEmpty else {
                CommandSupport.fail("no labelled messages in \(paths.joined(separator: ", "))")
                throw ExitCode(2)
            }
            let report = CorpusEvaluation.run(corpus, rules: edition.rules, variants: noVariants ? nil : TextVariants())
            let thresholds: [(String, Double, Double?)] = [
                ("urgent-or-not accuracy", report.urgentAccuracy, minUrgentAccuracy ?? minAccuracy),
                ("negative-or-not accuracy", report.negativeAccuracy, minNegativeAccuracy ?? minAccuracy),
                ("intent macro-F1", report.intentMacroF1, minIntentF1),
            ]
            let failed = thresholds.filter { name, value, minimum in minimum.map { value < $0 } ?? false }.map { $0.0 }
                + (report.variants.differing.isEmpty ? [] : ["variants"])
            if json {
                print(CommandSupport.jsonLine(report))
            } else {
                print(EvalReport(report: report, paths: paths, thresholds: thresholds, misses: misses).text)
            }
            if !failed.isEmpty {
                CommandSupport.fail("eval failed: \(failed.joined(separator: ", "))")
                throw ExitCode(1)
            }
        }
    }
}
