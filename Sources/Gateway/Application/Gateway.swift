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
import ServiceLifecycle
import Signing
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

    /// What every way in (the HTTP API, `switchboard ingest`) stands on: storage opened and checked, rules
    /// loaded, the outbound channels, intake with its group committer, reply composition and the outbox
    /// dispatcher. Building it starts nothing; the services run only when the application runs them.
    public struct Core: Sendable {
        public var configuration: GatewayConfiguration
        public var store: SQLiteMessageStore
        public var rules: RuleBook
        /// Where SMS sources' providers report back from, learned once the server listens.
        public var address: PublicAddress
        /// The providers of the SMS sources, by source id; their inbound adapters read their callbacks.
        public var smsProviders: [String: any SMSProvider]
        public var dispatcher: OutboxDispatcher
        public var committer: IngestCommitter
        public var intake: Intake
        public var composer: ReplyComposer
        public var registry: PrometheusCollectorRegistry
        public var metricsFactory: PrometheusMetricsFactory
    }

    /// Builds the core alone, for commands that reach intake without serving HTTP (`switchboard ingest`).
    /// - Throws: `Problems` for invalid rules, or a storage error.
    public static func buildCore(_ options: Options, logger: Logger) async throws -> Core {
        let configuration = options.configuration
        let edition = try RuleDirectory.load(options.rulesDirectory)
        let rules = RuleBook(edition)
        let store = try SQLiteMessageStore(directory: options.dataDirectory ?? configuration.dataDirectory)
        let problems = try await store.integrityProblems()
        guard problems.isEmpty else {
            throw SwitchboardError(.storageFailure, "the database at \(store.path) failed its integrity check: \(problems.prefix(3).joined(separator: "; "))")
        }
        logger.info("rules loaded", metadata: [
            "rules.version": "\(edition.rules.version)", "rules.signals": "\(edition.rules.signals.count)",
            "rules.routes": "\(edition.rules.routes.count)", "rules.patterns": "\(edition.rules.patternCount)",
        ])

        let registry = PrometheusCollectorRegistry()
        let metricsFactory = PrometheusMetricsFactory(registry: registry)
        let address = PublicAddress(configuration.server.publicURL)
        let (channels, smsProviders) = try outboundChannels(configuration, address: address, logger: logger)
        let validator = ReplyValidator(channels: channels)
        let dispatcher = OutboxDispatcher(
            store: store, channels: channels, settings: configuration.outbox, logger: logger, metricsFactory: metricsFactory)
        let wake: @Sendable () -> Void = { dispatcher.wake() }
        let committer = IngestCommitter(store: store, settings: configuration.groupCommit, logger: logger, metricsFactory: metricsFactory)
        let intake = Intake(
            store: store, rules: rules, timeZone: configuration.timeZone, logger: logger, metricsFactory: metricsFactory,
            autoReplyLimit: configuration.autoReply, validator: validator, committer: committer, outboxChanged: wake)
        let composer = ReplyComposer(
            store: store, rules: rules, timeZone: configuration.timeZone, logger: logger, validator: validator, outboxChanged: wake)
        return Core(
            configuration: configuration, store: store, rules: rules, address: address, smsProviders: smsProviders, dispatcher: dispatcher,
            committer: committer, intake: intake, composer: composer, registry: registry, metricsFactory: metricsFactory)
    }

    /// Builds the application: the core, the HTTP API over it, and the services it runs.
    /// - Throws: `Problems` for invalid rules, or a storage error.
    public static func buildApplication(
        _ options: Options,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> (application: some ApplicationProtocol, parts: Parts) {
        let core = try await buildCore(options, logger: logger)
        let configuration = core.configuration
        let tokens = AccessTokens(configuration.tokens.map(\.accessToken))
        let tokenReloader = TokenReloader(
            path: options.configurationPath, environment: options.environment, tokens: tokens, logger: logger, metricsFactory: core.metricsFactory)
        // SIGHUP reloads the tokens beside the rules.
        let reloader = RuleReloader(
            directory: options.rulesDirectory, book: core.rules, interval: options.rulesCheckInterval, logger: logger,
            metricsFactory: core.metricsFactory, onSIGHUP: { tokenReloader.reload() })
        let api = try api(core, tokens: tokens, reloadRules: { await reloader.reload() }, reloadTokens: { tokenReloader.reload() })

        if !configuration.developmentDefaultsInUse.isEmpty {
            logger.warning("using documented development defaults for secrets; set them before production", metadata: [
                "config.development_defaults": "\(configuration.developmentDefaultsInUse.joined(separator: ", "))",
            ])
        }
        let application = Application(
            router: api.buildRouter(),
            server: httpServer(configuration.server, metricsFactory: core.metricsFactory),
            configuration: .init(
                address: .hostname(configuration.server.host, port: options.port ?? configuration.server.port),
                serverName: "switchboard"),
            services: services(core, options: options, reloader: reloader, logger: logger),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                core.address.learn(host: configuration.server.host, port: port)
                logger.info("switchboard listening", metadata: ["server.host": "\(configuration.server.host)", "server.port": "\(port)"])
                await onServerRunning(port)
            },
            logger: logger)
        let parts = Parts(
            store: core.store, rules: core.rules, dispatcher: core.dispatcher, reloader: reloader, tokenReloader: tokenReloader, intake: core.intake)
        return (application, parts)
    }

    /// The channels replies leave through, and the SMS sources' providers (which also read their callbacks).
    static func outboundChannels(
        _ configuration: GatewayConfiguration, address: PublicAddress, logger: Logger
    ) throws -> (channels: [any OutboundChannel], smsProviders: [String: any SMSProvider]) {
        var targets: [String: WebhookTarget] = [:]
        for source in configuration.sources where source.channel == "webhook" {
            if let url = source.replyURL, let secret = source.replySecret {
                targets[source.id] = WebhookTarget(replyURL: url, secret: secret)
            }
        }
        let webhook = try WebhookChannel(targets: targets, timeout: configuration.webhookTimeout, logger: logger)
        let smtp = SMTPChannel(sources: configuration.sources.compactMap(\.email), logger: logger)
        var smsRoutes: [(SMSSource, any SMSProvider)] = []
        for source in configuration.sources.compactMap(\.sms) {
            switch source.provider {
            case let .kannel(settings):
                smsRoutes.append((source, KannelProvider(source: source, settings: settings, logger: logger)))
            case let .twilio(settings):
                smsRoutes.append((source, TwilioProvider(source: source, settings: settings, address: address, logger: logger)))
            }
        }
        let sms = SMSChannel(sources: smsRoutes, address: address, logger: logger)
        return ([webhook, smtp, sms], Dictionary(uniqueKeysWithValues: smsRoutes.map { ($0.0.id, $0.1) }))
    }

    /// The HTTP API over the core: its inbound sources, tokens and limits.
    static func api(
        _ core: Core, tokens: AccessTokens, reloadRules: @escaping @Sendable () async -> [String], reloadTokens: @escaping @Sendable () -> [String]
    ) throws -> API {
        let configuration = core.configuration
        var sources: [String: API.InboundSource] = [:]
        for source in configuration.sources {
            sources[source.id] = try inboundSource(source, smsProviders: core.smsProviders)
        }
        let store = core.store
        let registry = core.registry
        let metricsFactory = core.metricsFactory
        let metricsText: @Sendable () async -> String = {
            if let counts = try? await store.outboxCounts() {
                for status in OutboxStatus.allCases {
                    Gauge(label: "switchboard_outbox_entries", dimensions: [("status", status.rawValue)], factory: metricsFactory)
                        .record(counts[status] ?? 0)
                }
            }
            return registry.emitToString()
        }
        return API(
            configuration: .init(
                maxBodyBytes: configuration.server.maxBodyBytes, channels: inboundChannels, sources: sources, tokens: tokens,
                rateLimiter: InboundRateLimiter(limits: configuration.sources.reduce(into: [:]) { limits, source in
                    limits[source.id] = source.rateLimit
                }),
                clientFailureLimit: configuration.server.clientFailureLimit),
            store: store, intake: core.intake, composer: core.composer, rules: core.rules, metricsFactory: metricsFactory,
            metricsText: metricsText, reloadRules: reloadRules, reloadTokens: reloadTokens)
    }

    /// The services the application runs beside its server, in start order; they shut down in reverse: the
    /// server stops taking requests first, the committer commits what they left, and the checkpointer copies
    /// what the committer wrote into the database file last.
    static func services(_ core: Core, options: Options, reloader: RuleReloader, logger: Logger) -> [any Service] {
        let configuration = core.configuration
        let retention = RetentionService(store: core.store, policy: configuration.retention, logger: logger, metricsFactory: core.metricsFactory)
        let mailboxes: [any Service] = configuration.sources.compactMap(\.email).compactMap { source in
            source.mailbox.map {
                IMAPIntake(source: source, mailbox: $0, intake: core.intake, store: core.store, logger: logger, metricsFactory: core.metricsFactory)
            }
        }
        let delivery: [any Service] = options.deliverReplies ? [core.dispatcher] : []
        return [SQLiteCheckpointService(store: core.store, logger: logger), core.committer] + delivery + [reloader, retention] + mailboxes
    }

    /// HTTP/1.1 where stalled and slow clients are dropped, header sections stay small and connections are
    /// counted: none of them can hold the server's resources.
    static func httpServer(_ server: GatewayConfiguration.Server, metricsFactory: any MetricsFactory) -> HTTPServerBuilder {
        let http1 = HTTP1Channel.Configuration(
            idleTimeout: .nanoseconds(Int64(server.idleTimeout.inSeconds * 1e9)),
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: server.maxHeaderBytes, maxHeaderListSize: server.maxHeaderBytes, maxHeaderFieldCount: 100))
        let limits = GuardedHTTP1Channel.Limits(requestTimeout: .nanoseconds(Int64(server.requestTimeout.inSeconds * 1e9)), maxConnections: server.maxConnections)
        return .guardedHTTP1(configuration: http1, limits: limits, metricsFactory: metricsFactory)
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
