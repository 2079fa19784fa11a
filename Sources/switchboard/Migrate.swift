import ArgumentParser
import Foundation
import Gateway
import PostgresStorage
import SQLiteStorage

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring the configured database's schema up to this build, and exit.",
        discussion: """
            On PostgreSQL (storage.postgres) each migration runs once under an advisory lock, however many gateways \
            or migrate commands start together; gateways also migrate at start, so this is for deploys that apply \
            the schema before rolling out nodes. On the embedded store it migrates the SQLite file in the data \
            directory.
            """)

    @Option(help: "Configuration file.") var config = "Config/switchboard.yaml"
    @Option(help: "Data directory (overrides the configuration; SQLite only).") var data: String?

    func run() async throws {
        let logger = CommandSupport.bootstrapLogging()
        let configuration = try CommandSupport.loadConfiguration(config, exitCode: 2)
        if let settings = configuration.postgres {
            do {
                let applied = try await PostgresMigrator().migrate(settings: settings, logger: logger)
                print(applied.isEmpty ? "\(settings): schema already current" : "\(settings): applied \(applied.joined(separator: ", "))")
            } catch {
                CommandSupport.fail(String(describing: error))
                throw ExitCode(1)
            }
            return
        }
        let directory = data ?? configuration.dataDirectory
        let store = try SQLiteMessageStore(directory: directory)
        print("\(store.path): schema current")
    }
}
