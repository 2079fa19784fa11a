import ArgumentParser
import Channels
import Foundation
import Gateway
import Mail
import Pipeline
import Rules
import StrictYAML
import SwitchboardCore

/// `switchboard inspect FILE.eml…`: what Switchboard reads in each message and what the rules make of
/// it, one JSON line per file, without storing anything.
struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse .eml files and print, per file, one JSON line: the normalized message, its classification and route.")

    @Argument(help: "RFC 5322 message files.") var files: [String]
    @Option(help: "Rules directory.") var rules = "Rules"

    func run() async throws {
        let edition = try CommandSupport.orExit { () throws(Problems) in try RuleDirectory.load(rules, channels: CommandSupport.channels) }
        // No deployment needed: a throwaway source, whose own tokens nothing here will carry.
        let normalizer = EmailNormalizer(source: EmailSource(id: "inspect", address: "inspect@switchboard.invalid", threadSecret: UUID().uuidString))
        var failed = false
        for file in files {
            guard let raw = FileManager.default.contents(atPath: file) else {
                failed = true
                print(CommandSupport.jsonLine(MailInspection.unreadable(file: file)))
                continue
            }
            print(CommandSupport.jsonLine(MailInspection.inspect(file: file, raw: raw, rules: edition.rules, normalizer: normalizer)))
        }
        if failed { throw ExitCode(1) }
    }
}
