import Channels
import Curl
import Conversations
import Foundation
import HTTPServer
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import Outbox
import Pipeline
import PostgresNIO
import PostgresStorage
import Prometheus
import Rules
import SQLiteStorage
import ServiceLifecycle
import SwitchboardCore

/// The composition root: builds the application `switchboard serve` runs, and that end-to-end tests
/// run on port 0 with a temporary data directory.
public enum Gateway {
    /// This build's version, as nodes report it (`GET /v1/nodes`).
    public static let version = "0.9.0"

    /// Where the pieces come from.
    public struct Options: Sendable {
        public var configuration: GatewayConfiguration
        public var rulesDirectory: String
        /// Overrides the configuration's data directory when set.
        public var dataDirectory: String?
        /// Overrides the configuration's port when set (0 picks a free one).
        public var port: Int?
        /// How often `Rules/` is checked for changes.
        public var rulesCheckInterval: Duration
        /// Runs the outbox dispatcher; off for measurements of intake alone (`switchboard bench ingest`).
        public var deliverReplies: Bool = true
        /// The gateway's clock: when messages are received, actions and replies written, SLA timers fire
        /// and outbox entries fall due (tests move it instead of sleeping). Signatures, rate limits and
        /// connection timeouts keep real time.
        public var clock: @Sendable () -> Date = { Date() }
        /// How often the service-level gauges on `/metrics` are recomputed.
        public var serviceLevelInterval: Duration = .seconds(60)
        /// The file `configuration` was read from, read again to reload the tokens (SIGHUP,
        /// `POST /v1/tokens/reload`); nil when there is none, and the tokens stay as built.
        public var configurationPath: String?
        /// Where `env:` references are looked up when the configuration is read again.
        public var environment: [String: String] = ProcessInfo.processInfo.environment
        /// This gateway's id among the nodes sharing the store; a fresh one per start when nil.
        public var nodeID: String?

        public init(
            configuration: GatewayConfiguration, rulesDirectory: String, dataDirectory: String? = nil, port: Int? = nil,
            rulesCheckInterval: Duration = .seconds(2)
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
        public var store: any GatewayStore
        /// The SQLite file when the gateway runs on the embedded store, for tests and tools that open it; empty
        /// on PostgreSQL.
        public var sqlitePath: String { (store as? SQLiteMessageStore)?.path ?? "" }
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
        public var store: any GatewayStore
        /// What the store needs running beside it (SQLite's checkpointer, PostgreSQL's connection pool): started
        /// before every other service and stopped after all of them.
        public var storageServices: [any Service]
        /// This gateway's id among the nodes sharing the store.
        public var nodeID: String
        public var rules: RuleBook
        /// Where providers reach the gateway, learned once the server listens.
        public var address: PublicAddress
        /// Each source's inbound adapter, by source id.
        public var inboundAdapters: [String: any InboundChannel]
        public var dispatcher: OutboxDispatcher
        public var committer: IngestCommitter
        public var intake: Intake
        public var composer: ReplyComposer
        /// Agents' actions on conversations.
        public var desk: ConversationDesk
        /// Fires the SLA clocks' warnings and breaches.
        public var timers: ClockTimerService
        /// Service reports, judged on the gateway's clock.
        public var reports: ServiceReports
        /// Satisfaction surveys: the question a resolution schedules, and the answers.
        public var surveys: SurveyDesk
        public var registry: PrometheusCollectorRegistry
        public var metricsFactory: PrometheusMetricsFactory
    }

    /// Builds the core alone, for commands that reach intake without serving HTTP (`switchboard ingest`).
    /// - Throws: `Problems` for invalid rules, or a storage error.
    public static func buildCore(_ options: Options, logger: Logger) async throws -> Core {
        let configuration = options.configuration
        let edition = try RuleDirectory.load(options.rulesDirectory, channels: configuration.channels.map { $0.kind })
        let rules = RuleBook(edition)
        try checkNotificationTargets(configuration, rules: edition.rules, logger: logger)
        let clockRules = RuleBookClockRules(rules)
        let notificationRules = NotificationPlanner(targets: configuration.notifications.map(\.target), clocks: clockRules)
        let nodeID = options.nodeID ?? NodeHeartbeat.makeNodeID()
        let (store, openedServices) = try await openStore(
            options, nodeID: nodeID, clockRules: clockRules, notificationRules: notificationRules, logger: logger)
        logger.info("rules loaded", metadata: [
            "rules.version": "\(edition.rules.version)", "rules.signals": "\(edition.rules.signals.count)",
            "rules.routes": "\(edition.rules.routes.count)", "rules.patterns": "\(edition.rules.patternCount)",
        ])

        let registry = PrometheusCollectorRegistry()
        var metricsFactory = PrometheusMetricsFactory(registry: registry)
        metricsFactory.valueHistogramBuckets.merge(ServiceMetricsService.histogramBuckets) { _, service in service }
        let address = PublicAddress(configuration.server.publicURL)
        let channels = try assembleChannels(configuration, context: ChannelContext(
            address: address, deliveryTimeout: configuration.webhookTimeout, logger: logger, now: options.clock, metricsFactory: metricsFactory))
        let notifier = try NotificationChannel(
            endpoints: Dictionary(configuration.notifications.map { ($0.target.id, $0.endpoint) }, uniquingKeysWith: { first, _ in first }),
            timeout: configuration.webhookTimeout, logger: logger)
        let outbound = channels.map(\.outbound) + [notifier]
        let validator = ReplyValidator(channels: outbound)
        let dispatcher = OutboxDispatcher(
            store: store, channels: outbound, settings: configuration.outbox, logger: logger, metricsFactory: metricsFactory,
            now: options.clock)
        let wake: @Sendable () -> Void = { dispatcher.wake() }
        var storageServices = openedServices
        if let settings = configuration.postgres {
            // Other gateways' replies wake this one's dispatcher too.
            storageServices.append(PostgresOutboxListener(settings: settings, logger: logger, onNotification: wake))
        }
        let committer = IngestCommitter(store: store, settings: configuration.groupCommit, logger: logger, metricsFactory: metricsFactory)
        let composer = ReplyComposer(
            store: store, rules: rules, timeZone: configuration.timeZone, logger: logger, validator: validator, now: options.clock,
            metricsFactory: metricsFactory, outboxChanged: wake)
        let surveys = SurveyDesk(
            store: store, rules: rules, composer: composer, publicURL: { address.base }, logger: logger, metricsFactory: metricsFactory)
        let intake = Intake(
            store: store, rules: rules, timeZone: configuration.timeZone, logger: logger, metricsFactory: metricsFactory,
            autoReplyLimit: configuration.autoReply, validator: validator, committer: committer, surveys: surveys, outboxChanged: wake)
        let desk = ConversationDesk(store: store, rules: rules, now: options.clock, logger: logger, metricsFactory: metricsFactory)
        let timers = ClockTimerService(store: store, approvals: store, now: options.clock, logger: logger, metricsFactory: metricsFactory)
        let reports = ServiceReports(store: store, clockRules: clockRules, now: options.clock)
        return Core(
            configuration: configuration, store: store, storageServices: storageServices, nodeID: nodeID,
            rules: rules, address: address,
            inboundAdapters: channels.reduce(into: [:]) { adapters, channel in adapters.merge(channel.inbound) { first, _ in first } }, dispatcher: dispatcher,
            committer: committer, intake: intake, composer: composer, desk: desk, timers: timers, reports: reports, surveys: surveys, registry: registry,
            metricsFactory: metricsFactory)
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
            path: options.configurationPath, environment: options.environment, channels: configuration.channels, tokens: tokens, logger: logger, metricsFactory: core.metricsFactory)
        // SIGHUP reloads the tokens beside the rules.
        let reloader = RuleReloader(
            directory: options.rulesDirectory, book: core.rules, interval: options.rulesCheckInterval,
            channels: configuration.channels.map { $0.kind }, logger: logger,
            metricsFactory: core.metricsFactory, onSIGHUP: { tokenReloader.reload() })
        let api = api(
            core, tokens: tokens, reloadRules: { await reloader.reload() }, reloadTokens: { tokenReloader.reload() }, logger: logger,
            now: options.clock, consoleAssetsDirectory: options.environment["SWITCHBOARD_CONSOLE_ASSETS"])

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
            services: services(core, options: options, reloader: reloader, logger: logger) + api.services,
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

    /// Opens the store the configuration names: PostgreSQL when `storage.postgres` is set, else the embedded
    /// SQLite file in the data directory. On PostgreSQL the login is checked and the schema migrated on a
    /// connection of its own first, so a wrong password or an unreachable server stops the gateway at once with
    /// an error that says which (and never the password), rather than after the pool's retries.
    static func openStore(
        _ options: Options, nodeID: String, clockRules: any ClockRules, notificationRules: any NotificationRules, logger: Logger
    ) async throws -> (any GatewayStore, [any Service]) {
        if let settings = options.configuration.postgres {
            // Migrating logs in on a connection of its own first, and reports a refused login or a missing
            // database as such: the check at start.
            let applied = try await PostgresMigrator().migrate(settings: settings, logger: logger)
            logger.info("storage: PostgreSQL", metadata: [
                "storage.database": "\(settings)", "storage.pool": "\(settings.poolSize)", "storage.migrations_applied": "\(applied.count)",
            ])
            let client = PostgresClient(configuration: try settings.clientConfiguration, backgroundLogger: logger)
            // A delivery ends within its timeout (outbox.timeout) but for the bookkeeping around it: a lease of four
            // timeouts, at least ten seconds, outlasts any live delivery, and a dead node's entries go out again soon.
            let lease = max(.seconds(10), options.configuration.webhookTimeout * 4)
            let store = PostgresMessageStore(
                client: client, clockRules: clockRules, notificationRules: notificationRules, node: nodeID, deliveryLease: lease, logger: logger)
            return (store, [client])
        }
        let store = try SQLiteMessageStore(
            directory: options.dataDirectory ?? options.configuration.dataDirectory, clockRules: clockRules,
            notificationRules: notificationRules)
        let problems = try await store.integrityProblems()
        guard problems.isEmpty else {
            throw SwitchboardError(.storageFailure, "the database at \(store.path) failed its integrity check: \(problems.prefix(3).joined(separator: "; "))")
        }
        return (store, [SQLiteCheckpointService(store: store, logger: logger)])
    }

    /// Refuses quiet hours on a calendar the rules do not define, and warns of targets the SLA policies
    /// notify that the configuration does not define (their breaches reach nobody).
    static func checkNotificationTargets(_ configuration: GatewayConfiguration, rules: RuleSet, logger: Logger) throws {
        for settings in configuration.notifications {
            if case let .calendar(calendar) = settings.target.quietHours, rules.calendars[calendar] == nil {
                throw SwitchboardError(
                    .invalidConfiguration,
                    "quiet_hours of notification target '\(settings.target.id)' names calendar '\(calendar)', which the rules do not define (or use policy or none)")
            }
        }
        let defined = Set(configuration.notifications.map(\.target.id))
        let named = Set(rules.slaPolicies.values.flatMap { $0.onBreach.notify })
        let missing = named.subtracting(defined).sorted()
        if !missing.isEmpty {
            logger.warning("SLA policies notify targets that notifications.targets does not define; their breaches reach nobody", metadata: [
                "notifications.undefined_targets": "\(missing.joined(separator: ", "))",
            ])
        }
    }

    /// Each configured channel's parts, built from its sources (a channel without sources still gets its
    /// outbound side, which refuses replies for sources it does not know).
    static func assembleChannels(_ configuration: GatewayConfiguration, context: ChannelContext) throws -> [ChannelAssembly] {
        try configuration.channels.map { plugin in try assemble(plugin, sources: configuration.sources, context: context) }
    }

    private static func assemble<Plugin: ChannelPlugin>(
        _ plugin: Plugin.Type, sources: [GatewayConfiguration.Source], context: ChannelContext
    ) throws -> ChannelAssembly {
        try Plugin.assemble(settings(of: plugin, in: sources), context: context)
    }

    private static func channelServices<Plugin: ChannelPlugin>(
        _ plugin: Plugin.Type, sources: [GatewayConfiguration.Source], context: ChannelServiceContext
    ) -> [any Service] {
        Plugin.services(settings(of: plugin, in: sources), context: context)
    }

    /// The settings of the sources that belong to `plugin`, as its own source type.
    private static func settings<Plugin: ChannelPlugin>(of plugin: Plugin.Type, in sources: [GatewayConfiguration.Source]) -> [Plugin.Source] {
        sources.compactMap { $0.settings(as: Plugin.Source.self) }
    }

    /// The HTTP API over the core: its inbound sources, tokens and limits.
    /// - Parameter consoleAssetsDirectory: serves the console's files from this folder rather than the
    ///   binary (`SWITCHBOARD_CONSOLE_ASSETS`), for working on the console without rebuilding.
    static func api(
        _ core: Core, tokens: AccessTokens, reloadRules: @escaping @Sendable () async -> [String], reloadTokens: @escaping @Sendable () -> [String],
        logger: Logger, now: @escaping @Sendable () -> Date = { Date() }, consoleAssetsDirectory: String? = nil
    ) -> API {
        let configuration = core.configuration
        var sources: [String: API.InboundSource] = [:]
        for (id, adapter) in core.inboundAdapters {
            sources[id] = API.InboundSource(id: id, adapter: adapter)
        }
        let store = core.store
        let registry = core.registry
        let metricsFactory = core.metricsFactory
        let queueGauges = QueueGauges(factory: metricsFactory)
        let rules = core.rules
        let metricsText: @Sendable () async -> String = {
            if let counts = try? await store.outboxCounts() {
                for status in OutboxStatus.allCases {
                    Gauge(label: "switchboard_outbox_entries", dimensions: [("status", status.rawValue)], factory: metricsFactory)
                        .record(counts[status] ?? 0)
                }
                // Replies waiting for a supervisor's decision (approval.yaml).
                Gauge(label: "switchboard_approvals_pending", factory: metricsFactory).record(counts[.awaitingApproval] ?? 0)
            }
            // How late the dispatcher runs: a held notification waiting for its morning is not late.
            let now = now()
            if let due = try? await store.oldestDueOutboxEntry(now: now) as Date?? {
                Gauge(label: "switchboard_outbox_oldest_due_seconds", factory: metricsFactory)
                    .record(due.map { max(0, now.timeIntervalSince($0)) } ?? 0)
            }
            if let summaries = try? await store.queueSummaries(now: now, sources: nil) {
                queueGauges.record(summaries, queues: rules.current.rules.queues.map(\.id))
            }
            return registry.emitToString()
        }
        return API(
            configuration: .init(
                maxBodyBytes: configuration.server.maxBodyBytes, channels: configuration.channels.map { $0.inboundChannel }, sources: sources, tokens: tokens,
                rateLimiter: InboundRateLimiter(limits: configuration.sources.reduce(into: [:]) { limits, source in
                    limits[source.id] = source.rateLimit
                }),
                clientFailureLimit: configuration.server.clientFailureLimit,
                consoleAssets: ConsoleAssets(directory: consoleAssetsDirectory),
                secureCookies: configuration.server.publicURL?.lowercased().hasPrefix("https://") ?? false),
            store: store, intake: core.intake, composer: core.composer, desk: core.desk, rules: core.rules, reports: core.reports, surveys: core.surveys,
            metricsFactory: metricsFactory, metricsText: metricsText, reloadRules: reloadRules, reloadTokens: reloadTokens,
            attachmentFetcher: CurlAttachmentFetcher(logger: logger), now: now, logger: logger)
    }

    /// The services the application runs beside its server, in start order; they shut down in reverse: the
    /// server stops taking requests first, the committer commits what they left, and the checkpointer copies
    /// what the committer wrote into the database file last.
    static func services(_ core: Core, options: Options, reloader: RuleReloader, logger: Logger) -> [any Service] {
        let configuration = core.configuration
        let retention = RetentionService(store: core.store, policy: configuration.retention, logger: logger, metricsFactory: core.metricsFactory)
        let context = ChannelServiceContext(
            intake: core.intake, store: core.store, logger: logger, metricsFactory: core.metricsFactory,
            lease: PollingLease(registry: core.store, node: core.nodeID))
        let channelWork = configuration.channels.flatMap { plugin in channelServices(plugin, sources: configuration.sources, context: context) }
        let delivery: [any Service] = options.deliverReplies ? [core.dispatcher] : []
        let serviceMetrics = ServiceMetricsService(
            store: core.store, clockRules: RuleBookClockRules(core.rules), logger: logger, metricsFactory: core.metricsFactory)
        // Held across three refreshes, so one slow refresh does not hand the figures to another node.
        let serviceLevels = ServiceLevelGauges(
            reports: core.reports, interval: options.serviceLevelInterval,
            lease: PollingLease(registry: core.store, node: core.nodeID, duration: max(options.serviceLevelInterval * 3, .seconds(30))),
            logger: logger, metricsFactory: core.metricsFactory)
        let heartbeat = NodeHeartbeat(
            nodeID: core.nodeID, store: core.store, rules: core.rules, address: core.address, logger: logger, metricsFactory: core.metricsFactory)
        return core.storageServices + [core.committer] + delivery
            + [reloader, retention, core.timers, serviceMetrics, serviceLevels, heartbeat] + channelWork
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
}
