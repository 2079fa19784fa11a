import ArgumentParser
import Channels
import Foundation
import Gateway
import StrictYAML

/// `switchboard ingest --source NAME < message.eml`: the pipe a mail server delivers through. The exit
/// status follows sysexits, which MTAs understand: 0 only after the message is committed, 75
/// (temporary failure: the MTA keeps the message and retries) when the store could not commit it, 65 for
/// empty or oversized input, 78 for a configuration, rules or source that is wrong, 64 for wrong arguments.
struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store one RFC 5322 message from standard input for an email source (for an MTA's pipe transport).")

    @Option(help: "The email source (an id under `sources:` with channel: email).") var source: String
    @Option(help: "Configuration file.") var config = "Config/switchboard.yaml"
    @Option(help: "Rules directory (overrides the configuration's rules_dir; default Rules).") var rules: String?
    @Option(help: "Data directory (overrides the configuration).") var data: String?

    struct Stored: Encodable {
        var messageId: String
        var conversationId: String
        var duplicate: Bool
        var threadedBy: String
        var warnings: [String]
    }

    static let temporaryFailure: Int32 = 75
    static let dataError: Int32 = 65
    static let configurationError: Int32 = 78

    func run() async throws {
        let logger = CommandSupport.bootstrapLogging()
        let configuration = try CommandSupport.loadConfiguration(config, exitCode: Self.configurationError)
        guard let email = configuration.sources.first(where: { $0.id == source })?.settings(as: EmailSource.self) else {
            CommandSupport.fail("no email source named '\(source)' in \(config)")
            throw ExitCode(Self.configurationError)
        }
        let raw = FileHandle.standardInput.readDataToEndOfFile()
        guard !raw.isEmpty else {
            CommandSupport.fail("standard input is empty; expected an RFC 5322 message")
            throw ExitCode(Self.dataError)
        }
        guard raw.count <= email.maxMessageBytes else {
            CommandSupport.fail("message is \(raw.count) bytes; source '\(source)' accepts at most \(email.maxMessageBytes)")
            throw ExitCode(Self.dataError)
        }
        let core: Gateway.Core
        do {
            core = try await Gateway.buildCore(
                .init(configuration: configuration, rulesDirectory: rules ?? configuration.rulesDirectory, dataDirectory: data), logger: logger)
        } catch let problems as Problems {
            CommandSupport.printProblems(problems)
            throw ExitCode(Self.configurationError)
        } catch {
            CommandSupport.fail("cannot open the gateway: \(error)")
            throw ExitCode(Self.temporaryFailure)
        }
        let inbound = EmailNormalizer(source: email).inbound(from: raw)
        do {
            let result = try await core.intake.accept(inbound)
            print(CommandSupport.jsonLine(Stored(
                messageId: result.messageID, conversationId: result.conversationID, duplicate: result.duplicate,
                threadedBy: result.threadedBy.rawValue, warnings: inbound.warnings)))
        } catch {
            CommandSupport.fail("message not stored: \(error)")
            throw ExitCode(Self.temporaryFailure)
        }
    }
}
