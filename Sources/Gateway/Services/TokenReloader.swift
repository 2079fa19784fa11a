import Channels
import Foundation
import HTTPServer
import Logging
import Metrics
import StrictYAML
import Synchronization

/// Reloads the API tokens from the configuration file, on SIGHUP (beside the rules) and on
/// `POST /v1/tokens/reload`. The whole file is read and checked as at start; only when it has no problem
/// are its tokens swapped in, all at once. Otherwise the tokens in force stay and the problems are
/// logged and returned. Other settings take effect at the next start. `file:` secrets are read again;
/// `env:` ones come from the environment the process started with.
public final class TokenReloader: Sendable {
    private let path: String?
    private let channels: [any ChannelPlugin.Type]
    private let environment: [String: String]
    private let tokens: AccessTokens
    private let logger: Logger
    private let metricsFactory: any MetricsFactory
    /// Serializes reloads from the signal and the API.
    private let reloading = Mutex<Void>(())

    /// - Parameters:
    ///   - path: the configuration file; nil when the gateway was built without one (nothing to reload).
    ///   - environment: where `env:` references are looked up.
    ///   - channels: the channels the configuration was first read with.
    public init(
        path: String?, environment: [String: String], channels: [any ChannelPlugin.Type] = GatewayConfiguration.builtInChannels,
        tokens: AccessTokens, logger: Logger, metricsFactory: any MetricsFactory
    ) {
        self.path = path
        self.channels = channels
        self.environment = environment
        self.tokens = tokens
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// Reads and swaps in the tokens now. Returns the problems, empty on success.
    @discardableResult
    public func reload() -> [String] {
        reloading.withLock { _ in
            guard let path else {
                return ["the gateway was started without a configuration file; there is nothing to reload tokens from"]
            }
            do throws(Problems) {
                let configuration = try GatewayConfiguration.load(path: path, environment: environment, channels: channels)
                let loaded = configuration.tokens.map(\.accessToken)
                tokens.replace(with: loaded)
                Counter(label: "switchboard_token_reloads_total", dimensions: [("result", "ok")], factory: metricsFactory).increment()
                logger.notice("tokens reloaded", metadata: [
                    "tokens.count": "\(loaded.count)", "tokens.ids": .array(Array(Set(loaded.map(\.id))).sorted().map { .string($0) }),
                ])
                return []
            } catch {
                let problems = error.problems.map(\.description)
                Counter(label: "switchboard_token_reloads_total", dimensions: [("result", "invalid")], factory: metricsFactory).increment()
                logger.error("tokens not reloaded: the configuration has problems; the tokens in force stay", metadata: [
                    "config.problems": .array(problems.map { .string($0) }),
                ])
                return problems
            }
        }
    }
}
