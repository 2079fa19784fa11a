import Channels
import Foundation
import HTTPServer
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import Outbox
import Pipeline
import Prometheus
import SQLiteStorage
import Signing
import ServiceLifecycle
import SwitchboardCore

/// The composition root: builds the application `switchboard serve` runs, and that end-to-end tests
/// run on port 0 with a temporary data directory.
public enum Gateway {
    /// Where the pieces come from.
    public struct Options: Sendable {
        public var configuration: GatewayConfiguration
        public var rulesDirectory: String
        /// Overrides the configuration's data directory when set.
        public var dataDirectory: String?
        /// Overrides the configuration's port when set (0 picks a free one).
        public var port: Int?
        /// How often `Rules/` is checked for changes, in seconds.
        public var rulesCheckInterval: Double
        /// Runs the outbox dispatcher; off for measurements of intake alone (`switchboard bench ingest`).
        public var deliverReplies: Bool = true
        /// The file `configuration` was read from, read again to reload the tokens (SIGHUP,
        /// `POST /v1/tokens/reload`); nil when there is none, and the tokens stay as built.
        public var configurationPath: String?
        /// Where `env:` references are looked up when the configuration is read again.
        public var environment: [String: String] = ProcessInfo.processInfo.environment

        public init(
            configuration: GatewayConfiguration, rulesDirectory: String, dataDirectory: String? = nil, port: Int? = nil,
            rulesCheckInterval: Double = 2
        ) {
            self.configuration = configuration
            self.rulesDirectory = rulesDirectory
            self.dataDirectory = dataDirectory
            self.port = port
            self.rulesCheckInterval = rulesCheckInterval
        }
    }

    /// The running parts, for callers that need to reach behind the HTTP API (tests, `ingest`).
    public struct Parts: Sendable {
        public var store: SQLiteMessageStore
        public var rules: RuleBook
        public var dispatcher: OutboxDispatcher
        public var reloader: RuleReloader
        public var tokenReloader: TokenReloader
        public var intake: Intake
    }

    /// Builds the application: storage opened and migrated, rules loaded, dispatcher ready.
    /// - Throws: `Problems` for invalid rules, or a storage error.
    public static func buildApplication(
        _ options: Options,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> (application: some ApplicationProtocol, parts: Parts) {
        let configuration = options.configuration
        let edition = try RuleDirectory.load(options.rulesDirectory)
        let rules = RuleBook(edition)
        let dataDirectory = options.dataDirectory ?? configuration.dataDirectory
        let store = try SQLiteMessageStore(directory: dataDirectory)
        let problems = try await store.integrityProblems()
        guard problems.isEmpty else {
            throw SwitchboardError(.storageFailure, "the database at \(store.path) failed its integrity check: \(problems.prefix(3).joined(separator: "; "))")
        }

        let registry = PrometheusCollectorRegistry()
        let metricsFactory = PrometheusMetricsFactory(registry: registry)

        var targets: [String: WebhookTarget] = [:]
        for source in configuration.sources where source.channel == "webhook" {
            if let url = source.replyURL, let secret = source.replySecret {
                targets[source.id] = WebhookTarget(replyURL: url, secret: secret)
            }
        }
        let webhook = try WebhookChannel(targets: targets, timeout: configuration.outbox.timeout, logger: logger)
        let emailSources = configuration.sources.compactMap(\.email)
        let smtp = SMTPChannel(sources: emailSources, logger: logger)
        let address = PublicAddress(configuration.server.publicURL)
        var smsRoutes: [(SMSSource, any SMSProvider)] = []
        for source in configuration.sources.compactMap(\.sms) {
            switch source.provider {
            case let .kannel(settings):
                smsRoutes.append((source, KannelProvider(source: source, settings: settings, logger: logger)))
            case let .twilio(settings):
                smsRoutes.append((source, TwilioProvider(source: source, settings: settings, address: address, logger: logger)))
            }
        }
        let smsProviders = Dictionary(uniqueKeysWithValues: smsRoutes.map { ($0.0.id, $0.1) })
        let sms = SMSChannel(
            sources: smsRoutes,
            address: address, logger: logger)
        let channels: [any OutboundChannel] = [webhook, smtp, sms]
        let validator = ReplyValidator(channels: channels)
        let dispatcher = OutboxDispatcher(
            store: store, channels: channels,
            retry: RetryPolicy(
                maxAttempts: configuration.outbox.maxAttempts, initialBackoff: configuration.outbox.initialBackoff,
                maxBackoff: configuration.outbox.maxBackoff),
            pollInterval: configuration.outbox.pollInterval, concurrency: configuration.outbox.concurrency,
            logger: logger, metricsFactory: metricsFactory)
        let wake: @Sendable () -> Void = { dispatcher.wake() }
        let committer = IngestCommitter(
            store: store,
            settings: .init(window: .nanoseconds(Int64(configuration.groupCommit.window * 1e9)), maxBatch: configuration.groupCommit.maxBatch),
            logger: logger, metricsFactory: metricsFactory)
        let intake = Intake(
            store: store, rules: rules, timeZone: configuration.timeZone, logger: logger, metricsFactory: metricsFactory,
            autoReplyLimit: .init(maximum: configuration.autoReply.maxPerAddress, window: configuration.autoReply.window),
            validator: validator, committer: committer, outboxChanged: wake)
        let composer = ReplyComposer(
            store: store, rules: rules, timeZone: configuration.timeZone, logger: logger, validator: validator, outboxChanged: wake)

        var sources: [String: API.InboundSource] = [:]
        for source in configuration.sources {
            sources[source.id] = try inboundSource(source, smsProviders: smsProviders)
        }
        let tokens = AccessTokens(configuration.tokens.map(\.accessToken))
        let tokenReloader = TokenReloader(
            path: options.configurationPath, environment: options.environment, tokens: tokens, logger: logger, metricsFactory: metricsFactory)
        let metricsText: @Sendable () async -> String = {
            if let counts = try? await store.outboxCounts() {
                for status in OutboxStatus.allCases {
                    Gauge(label: "switchboard_outbox_entries", dimensions: [("status", status.rawValue)], factory: metricsFactory)
                        .record(counts[status] ?? 0)
                }
            }
            return registry.emitToString()
        }
        // SIGHUP reloads the tokens beside the rules.
        let reloader = RuleReloader(
            directory: options.rulesDirectory, book: rules, interval: options.rulesCheckInterval, logger: logger,
            metricsFactory: metricsFactory, onSIGHUP: { tokenReloader.reload() })
        let api = API(
            configuration: .init(
                maxBodyBytes: configuration.server.maxBodyBytes, channels: inboundChannels, sources: sources, tokens: tokens,
                rateLimiter: InboundRateLimiter(limits: configuration.sources.reduce(into: [:]) { limits, source in
                    limits[source.id] = source.rateLimit
                }),
                clientFailureLimit: configuration.server.clientFailureLimit),
            store: store, intake: intake, composer: composer, rules: rules, metricsFactory: metricsFactory,
            metricsText: metricsText, reloadRules: { await reloader.reload() }, reloadTokens: { tokenReloader.reload() })

        let retention = RetentionService(store: store, policy: configuration.retention, logger: logger, metricsFactory: metricsFactory)
        let mailboxes: [any Service] = emailSources.compactMap { source in
            source.mailbox.map {
                IMAPIntake(source: source, mailbox: $0, intake: intake, store: store, logger: logger, metricsFactory: metricsFactory)
            }
        }

        if !configuration.developmentDefaultsInUse.isEmpty {
            logger.warning("using documented development defaults for secrets; set them before production", metadata: [
                "config.development_defaults": "\(configuration.developmentDefaultsInUse.joined(separator: ", "))",
            ])
        }
        logger.info("rules loaded", metadata: [
            "rules.version": "\(edition.rules.version)", "rules.signals": "\(edition.rules.signals.count)",
            "rules.routes": "\(edition.rules.routes.count)", "rules.patterns": "\(edition.rules.patternCount)",
        ])

        // Stalled and slow clients are dropped, header sections stay small and connections are counted: none of
        // them can hold the server's resources.
        let http1 = HTTP1Channel.Configuration(
            idleTimeout: .milliseconds(Int64(configuration.server.idleTimeout * 1000)),
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: configuration.server.maxHeaderBytes, maxHeaderListSize: configuration.server.maxHeaderBytes,
                maxHeaderFieldCount: 100))
        let limits = GuardedHTTP1Channel.Limits(
            requestTimeout: .milliseconds(Int64(configuration.server.requestTimeout * 1000)),
            maxConnections: configuration.server.maxConnections)
        let server = HTTPServerBuilder.guardedHTTP1(configuration: http1, limits: limits, metricsFactory: metricsFactory)
        let application = Application(
            router: api.buildRouter(),
            server: server,
            configuration: .init(
                address: .hostname(configuration.server.host, port: options.port ?? configuration.server.port),
                serverName: "switchboard"),
            // Shut down in reverse: the server stops taking requests first, the committer commits what they left,
            // and the checkpointer copies what the committer wrote into the database file last.
            services: [SQLiteCheckpointService(store: store, logger: logger), committer] + (options.deliverReplies ? [dispatcher] : []) + [reloader, retention] + mailboxes,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                address.learn(host: configuration.server.host, port: port)
                logger.info("switchboard listening", metadata: ["server.host": "\(configuration.server.host)", "server.port": "\(port)"])
                await onServerRunning(port)
            },
            logger: logger)
        return (application, Parts(store: store, rules: rules, dispatcher: dispatcher, reloader: reloader, tokenReloader: tokenReloader, intake: intake))
    }

    /// Every channel whose inbound endpoints the API serves. A new channel adds its adapter here and its
    /// source's construction below.
    static let inboundChannels: [any InboundChannel.Type] = [WebhookInboundChannel.self, EmailInboundChannel.self, SMSInboundChannel.self]

    /// A configured source as the HTTP API serves it: its channel's inbound adapter and limits.
    static func inboundSource(_ source: GatewayConfiguration.Source, smsProviders: [String: any SMSProvider]) throws -> API.InboundSource {
        let signature: RequestSignature
        switch source.inboundSignature {
        case .none: signature = .none
        case let .standardWebhooks(secret, tolerance): signature = .standardWebhooks(try .init(secret: secret), tolerance: tolerance)
        case let .hmacSHA256(secret, header): signature = .hmacSHA256(.init(secret: secret), header: header)
        }
        if let email = source.email {
            let adapter = EmailInboundChannel(normalizer: EmailNormalizer(source: email), signature: signature)
            return API.InboundSource(id: source.id, adapter: adapter, maxBodyBytes: email.maxMessageBytes)
        }
        if let provider = smsProviders[source.id] {
            return API.InboundSource(id: source.id, adapter: SMSInboundChannel(provider: provider))
        }
        return API.InboundSource(id: source.id, adapter: WebhookInboundChannel(sourceID: source.id, signature: signature))
    }
}
