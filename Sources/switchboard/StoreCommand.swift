import ArgumentParser
import Foundation
import PostgresStorage
import StoreCopy

struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Work on a store as a whole.", subcommands: [Copy.self])

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy an embedded (SQLite) deployment into an empty PostgreSQL database, and verify the counts.",
            discussion: """
                Stop the gateway first. The copy is one transaction: on any problem the database is left as it was. \
                The URL holds the password: pass it from the environment (--to "postgres:$SWITCHBOARD_DATABASE_URL").
                """)

        @Option(help: ArgumentHelp("The data directory of the SQLite store.", valueName: "sqlite:DIR")) var from: String
        @Option(help: ArgumentHelp("The PostgreSQL database.", valueName: "postgres:URL")) var to: String

        func run() async throws {
            let logger = CommandSupport.bootstrapLogging()
            guard from.hasPrefix("sqlite:") else { throw ValidationError("--from must be sqlite:DIR") }
            guard to.hasPrefix("postgres:") else { throw ValidationError("--to must be postgres:postgres://user:password@host:port/db") }
            do {
                let settings = try PostgresSettings(url: String(to.dropFirst("postgres:".count)))
                let report = try await StoreCopy(sqliteDirectory: String(from.dropFirst("sqlite:".count)), postgres: settings)
                    .run(logger: logger) { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
                let rows = report.counts.reduce(0) { $0 + $1.rows }
                print("copied \(rows) rows in \(report.counts.count) tables to \(settings); counts verified")
            } catch {
                CommandSupport.fail(String(describing: error))
                throw ExitCode(1)
            }
        }
    }
}
