import ArgumentParser

/// The `switchboard` command: each subcommand is a thin shell over the Gateway library.
@main
struct Switchboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Multi-channel customer-message gateway with rule-based routing.",
        subcommands: [Serve.self, Migrate.self, StoreCommand.self, Ingest.self, Inspect.self, RulesCommand.self, Classify.self, Bench.self, TokenCommand.self]
    )
}
