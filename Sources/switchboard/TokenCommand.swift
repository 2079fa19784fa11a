import ArgumentParser
import Foundation
import Gateway

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Make API tokens.", subcommands: [New.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a fresh random token (32 bytes from the system CSPRNG, base64url) and its line for Config/switchboard.yaml.",
            discussion: """
                The secret goes in an environment variable (default) or a file (--file), never in the yaml. Add the printed \
                line under tokens: and reload the tokens with SIGHUP or POST /v1/tokens/reload.
                """)

        @Option(help: "Token id: names the caller in logs, the access log and replies (letters, digits, . _ -).") var id: String
        @Option(help: "Display name (default: the id).") var name: String?
        @Option(help: "agent, supervisor or ops.") var role = "agent"
        @Option(help: "Environment variable to read the secret from (default SWITCHBOARD_TOKEN_<ID>).") var env: String?
        @Option(help: "Write the secret to this file instead (created with mode 0600; it must not exist) and read it from there.") var file: String?
        @Option(help: "Refuse the token after this time (ISO 8601 with its zone, e.g. 2027-01-31T18:00:00Z).") var notAfter: String?
        @Option(help: "Limit the token to these sources (comma-separated).") var sources: String?
        @Option(help: "Limit the token to these queues (comma-separated).") var queues: String?

        func validate() throws {
            guard GatewayConfiguration.isPlainTokenID(id) else { throw ValidationError("--id may hold only letters, digits, '.', '_' and '-'") }
            guard ["agent", "supervisor", "ops"].contains(role) else { throw ValidationError("--role must be agent, supervisor or ops") }
            if env != nil, file != nil { throw ValidationError("give --env or --file, not both") }
            if let notAfter, GatewayConfiguration.timestamp(notAfter) == nil {
                throw ValidationError("--not-after must be a time with its zone, such as 2027-01-31T18:00:00Z")
            }
        }

        func run() throws {
            let secret = GatewayConfiguration.newTokenSecret()
            let list: (String?) -> [String] = { $0?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? [] }
            let place: GatewayConfiguration.SecretPlace
            if let file {
                let path = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
                let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
                guard descriptor >= 0 else {
                    CommandSupport.fail("cannot create \(path): \(String(cString: strerror(errno))) (it must not exist yet)")
                    throw ExitCode(1)
                }
                let bytes = Array((secret + "\n").utf8)
                let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                close(descriptor)
                guard written == bytes.count else {
                    CommandSupport.fail("cannot write \(path)")
                    throw ExitCode(1)
                }
                place = .file(path)
            } else {
                place = .environment(env ?? GatewayConfiguration.tokenVariable(id: id))
            }
            let stanza = GatewayConfiguration.tokenStanza(
                id: id, name: name ?? id, role: role, place: place, notAfter: notAfter,
                sources: list(sources), queues: list(queues))
            switch place {
            case let .environment(variable):
                print("# The secret of token '\(id)'. Set it in the gateway's environment (a new variable takes a restart;")
                print("# with --file a reload is enough); never write it in the yaml:")
                print("\(variable)=\(secret)")
            case let .file(path):
                print("# The secret of token '\(id)' is in \(path) (mode 0600).")
            }
            print("# Add this under tokens: in Config/switchboard.yaml, then reload (kill -HUP, or POST /v1/tokens/reload):")
            print("  " + stanza)
        }
    }
}
