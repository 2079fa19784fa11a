import ArgumentParser
import Gateway
import Hummingbird
import Logging
import ServiceLifecycle
import StrictYAML

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway (embedded SQLite, Config/ and Rules/ by default).")

    @Option(help: "Configuration file.") var config = "Config/switchboard.yaml"
    @Option(help: "Rules directory (overrides the configuration's rules_dir; default Rules).") var rules: String?
    @Option(help: "Data directory (overrides the configuration).") var data: String?
    @Option(help: "Port (overrides the configuration; 0 picks a free one).") var port: Int?

    func run() async throws {
        let logger = CommandSupport.bootstrapLogging()
        let configuration = try CommandSupport.loadConfiguration(config, exitCode: 2)
        do {
            var options = Gateway.Options(configuration: configuration, rulesDirectory: rules ?? configuration.rulesDirectory, dataDirectory: data, port: port)
            // SIGHUP and POST /v1/tokens/reload read the tokens from the same file again.
            options.configurationPath = config
            let (application, _) = try await Gateway.buildApplication(options, logger: logger)
            // SIGTERM/SIGINT: stop accepting, let requests, the batch being delivered and the group commit finish,
            // and give up after the configured deadline rather than hang a deploy.
            var group = ServiceGroupConfiguration(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            group.maximumGracefulShutdownDuration = configuration.server.shutdownTimeout
            group.maximumCancellationDuration = .seconds(5)
            try await ServiceGroup(configuration: group).run()
        } catch let problems as Problems {
            CommandSupport.printProblems(problems)
            throw ExitCode(2)
        }
    }
}
