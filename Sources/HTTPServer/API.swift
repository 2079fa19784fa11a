import Foundation
import Hummingbird
import Logging
import Metrics
import Pipeline
import ServiceLifecycle
import SwitchboardCore

/// The HTTP API: inbound channels, the agents' outbox and queues, and operations endpoints.
public struct API: Sendable {
    /// An inbound source as the API sees it: its id, and the channel adapter that reads its requests and
    /// states its body limit.
    public struct InboundSource: Sendable {
        public var id: String
        public var adapter: any InboundChannel

        public init(id: String, adapter: any InboundChannel) {
            self.id = id
            self.adapter = adapter
        }
    }

    public struct Configuration: Sendable {
        /// Largest request body accepted on any endpoint.
        public var maxBodyBytes: Int
        /// The channels whose inbound endpoints are served; a source's adapter is one of them.
        public var channels: [any InboundChannel.Type]
        public var sources: [String: InboundSource]
        /// The API tokens, swapped whole by a reload.
        public var tokens: AccessTokens
        /// Per-source request rates on the inbound endpoints.
        public var rateLimiter: InboundRateLimiter
        /// Failed proofs one client address may make before it is answered 429 unchecked: refilled per
        /// second, and the burst. Wrong API tokens and failed inbound signatures are counted apart. Nil
        /// for no limit.
        public var clientFailureLimit: InboundRateLimiter.Limit?
        /// Largest file an agent may upload (`POST /v1/attachments`).
        public var maxUploadBytes: Int
        /// The console's files (`/console/`).
        public var consoleAssets: ConsoleAssets
        /// Marks the console's session cookie `Secure` whatever the request says: for a gateway reached
        /// only over TLS (its `public_url` is `https`). Without it, a proxy's `X-Forwarded-Proto: https` does.
        public var secureCookies: Bool

        public init(
            maxBodyBytes: Int, channels: [any InboundChannel.Type], sources: [String: InboundSource], tokens: AccessTokens, rateLimiter: InboundRateLimiter = InboundRateLimiter(limits: [:]),
            clientFailureLimit: InboundRateLimiter.Limit? = nil, maxUploadBytes: Int = AttachmentLimits.standard.maxBytes,
            consoleAssets: ConsoleAssets = ConsoleAssets(), secureCookies: Bool = false
        ) {
            self.consoleAssets = consoleAssets
            self.secureCookies = secureCookies
            self.maxUploadBytes = maxUploadBytes
            self.maxBodyBytes = maxBodyBytes
            self.channels = channels
            self.sources = sources
            self.tokens = tokens
            self.rateLimiter = rateLimiter
            self.clientFailureLimit = clientFailureLimit
        }
    }

    let configuration: Configuration
    let store: any MessageStore
    let intake: Intake
    let composer: ReplyComposer
    let desk: ConversationDesk
    let rules: RuleBook
    /// Service reports for supervisors and ops.
    let reports: ServiceReports
    /// Satisfaction surveys: scheduled with a resolution, answered by link or by a channel's system.
    let surveys: SurveyDesk
    let metricsFactory: any MetricsFactory
    let metricsText: @Sendable () async -> String
    let reloadRules: @Sendable () async -> [String]
    let reloadTokens: @Sendable () -> [String]
    /// The gateway's clock, for what the API stamps and shows (clocks as at, a wait's end).
    let now: @Sendable () -> Date
    /// Fetches provider-hosted files (Twilio media, a webhook's `{url}`) before the commit; without one
    /// such files are kept as refusals.
    let attachmentFetcher: (any AttachmentFetcher)?
    /// Failed inbound proofs (signatures, provider secrets) by client address.
    let inboundFailures: ClientFailureLimiter
    /// Which inbound refusals get a log line.
    let inboundRefusalLog = RefusalLog()
    /// The console's signed-in browsers, kept in the store.
    let sessions: ConsoleSessions
    /// New audit events for the open event streams; a service the application runs (``services``).
    let events: EventFeed

    /// What the API needs running beside the server: the event feed.
    public var services: [any Service] { [events] }

    /// - Parameters:
    ///   - metricsText: renders `/metrics` in the Prometheus text format.
    ///   - reloadRules: validates and swaps in the rules directory, returning its problems (empty on success).
    ///   - reloadTokens: reads the configuration file again and swaps in its tokens, returning its problems
    ///     (empty on success; on problems the tokens in force stay).
    public init(
        configuration: Configuration,
        store: any MessageStore,
        intake: Intake,
        composer: ReplyComposer,
        desk: ConversationDesk,
        rules: RuleBook,
        reports: ServiceReports,
        surveys: SurveyDesk,
        metricsFactory: any MetricsFactory,
        metricsText: @escaping @Sendable () async -> String,
        reloadRules: @escaping @Sendable () async -> [String],
        reloadTokens: @escaping @Sendable () -> [String] = { ["no configuration file to reload tokens from"] },
        attachmentFetcher: (any AttachmentFetcher)? = nil,
        now: @escaping @Sendable () -> Date = { Date() },
        sessionIdleTimeout: TimeInterval = 8 * 3600,
        logger: Logger = Logger(label: "switchboard.api")
    ) {
        self.sessions = ConsoleSessions(store: store, idleTimeout: sessionIdleTimeout)
        self.events = EventFeed(store: store, logger: logger)
        self.attachmentFetcher = attachmentFetcher
        self.now = now
        self.configuration = configuration
        self.store = store
        self.intake = intake
        self.composer = composer
        self.desk = desk
        self.rules = rules
        self.reports = reports
        self.surveys = surveys
        self.metricsFactory = metricsFactory
        self.metricsText = metricsText
        self.reloadRules = reloadRules
        self.reloadTokens = reloadTokens
        self.inboundFailures = ClientFailureLimiter(limit: configuration.clientFailureLimit)
    }

    /// Every route, with token checks on the agent and ops endpoints.
    public func buildRouter() -> Router<SwitchboardRequestContext> {
        let router = Router(context: SwitchboardRequestContext.self)
        router.add(middleware: RequestLogMiddleware(metricsFactory: metricsFactory))

        router.get("healthz") { _, _ in
            try JSONBody.response(["status": "ok", "rules_version": rules.current.rules.version])
        }
        // Readiness, for a load balancer: 503 while the store does not answer, so requests go to another node.
        router.get("readyz") { _, _ in
            do {
                try await store.checkReady()
            } catch {
                throw APIError(.serviceUnavailable, code: "storage_unavailable", "the store does not answer; retry later", headers: [.retryAfter: "1"])
            }
            return try JSONBody.response(["status": "ready", "rules_version": rules.current.rules.version])
        }
        router.get("metrics") { _, _ in
            let text = await metricsText()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        // One receive route serves every channel; each channel's endpoints are registered with the methods it
        // takes, so a wrong method is a 405 naming them whether or not a source of that channel exists.
        for channel in configuration.channels {
            for (endpoint, methods) in channel.methods {
                let path = "v1/inbound/\(channel.path)/:source" + (endpoint == .reports ? "/report" : "")
                for method in methods {
                    router.on(RouterPath(path), method: HTTPRequest.Method(method) ?? .post) { request, context in
                        try await receive(request, channel: channel, endpoint: endpoint, context: context)
                    }
                }
            }
        }

        // Survey answers: the signed token in the path is the capability, so no bearer token.
        router.get("s/:token/:score") { request, context in try await answerSurveyLink(request, context: context) }
        router.head("s/:token/:score") { _, _ in headSurveyLink() }
        router.post("s/:token/comment") { request, context in try await commentSurveyLink(request, context: context) }
        router.post("v1/surveys/:token") { request, context in try await answerSurveyAPI(request, context: context) }

        let refusals = AuthRefusals(store: store, failureLimit: configuration.clientFailureLimit, metricsFactory: metricsFactory)
        let accessLog = AccessLogMiddleware(store: store, metricsFactory: metricsFactory)
        addConsoleRoutes(to: router, refusals: refusals)
        let agents = router.group("v1")
            .add(middleware: BearerAuthMiddleware(tokens: configuration.tokens, allowedRoles: [.agent, .supervisor, .ops], refusals: refusals, sessions: sessions))
            .add(middleware: accessLog)
        agents.get("queues") { _, context in try await listQueues(context: context) }
        agents.get("queues/:queue/conversations") { request, context in try await listConversations(request, context: context) }
        agents.get("conversations") { request, context in try await findConversations(request, context: context) }
        agents.get("conversations/:id") { request, context in try await showConversation(request, context: context) }
        agents.get("conversations/:id/clocks") { _, context in try await showClocks(context: context) }
        agents.post("outbox") { request, context in try await postReply(request, context: context) }
        agents.get("outbox/:id") { _, context in try await showOutboxEntry(context: context) }
        agents.post("conversations/:id/:action") { request, context in try await postAction(request, context: context) }
        agents.post("queues/:queue/claim") { request, context in try await postClaimNext(request, context: context) }
        agents.get("attachments/:id") { _, context in try await serveAttachment(context: context) }
        agents.get("scripts") { _, _ in try listScripts() }
        agents.post("replies/preview") { request, context in try await previewReply(request, context: context) }
        agents.get("events") { request, context in try await streamEvents(request, context: context) }
        agents.post("attachments") { request, context in try await uploadAttachment(request, context: context) }

        // The outbox as a whole, and operations on its entries: supervisors and ops.
        let outboxDesk = router.group("v1/outbox")
            .add(middleware: BearerAuthMiddleware(tokens: configuration.tokens, allowedRoles: [.supervisor, .ops], refusals: refusals, sessions: sessions))
            .add(middleware: accessLog)
        outboxDesk.get("") { request, context in try await listOutbox(request, context: context) }
        outboxDesk.post(":id/:operation") { request, context in try await operateOutbox(request, context: context) }

        // Replies held for approval: supervisors and ops see them; only supervisors decide (POST /v1/outbox/{id}/approve).
        let approvals = router.group("v1/approvals")
            .add(middleware: BearerAuthMiddleware(tokens: configuration.tokens, allowedRoles: [.supervisor, .ops], refusals: refusals, sessions: sessions))
            .add(middleware: accessLog)
        approvals.get("") { request, context in try await listApprovals(request, context: context) }

        // Service reports: supervisors and ops.
        let reporting = router.group("v1/reports")
            .add(middleware: BearerAuthMiddleware(tokens: configuration.tokens, allowedRoles: [.supervisor, .ops], refusals: refusals, sessions: sessions))
            .add(middleware: accessLog)
        reporting.get("service") { request, context in try await serviceReport(request, context: context) }

        let ops = router.group("v1/rules")
            .add(middleware: BearerAuthMiddleware(tokens: configuration.tokens, allowedRoles: [.ops], refusals: refusals, sessions: sessions))
            .add(middleware: accessLog)
        ops.get("") { _, _ in try JSONBody.response(rulesView()) }
        ops.post("reload") { _, _ in
            let problems = await reloadRules()
            return try JSONBody.response(rulesView(), status: problems.isEmpty ? .ok : .unprocessableContent)
        }

        let nodes = router.group("v1/nodes")
            .add(middleware: BearerAuthMiddleware(tokens: configuration.tokens, allowedRoles: [.ops], refusals: refusals, sessions: sessions))
            .add(middleware: accessLog)
        nodes.get("") { _, _ in try await listNodes() }

        let tokenOps = router.group("v1/tokens")
            .add(middleware: BearerAuthMiddleware(tokens: configuration.tokens, allowedRoles: [.ops], refusals: refusals, sessions: sessions))
            .add(middleware: accessLog)
        tokenOps.post("reload") { _, _ in try reloadTokensNow() }

        // Last, so it wraps only what no route took: errors stay JSON for an unknown path or a wrong method.
        router.add(middleware: UnmatchedRouteMiddleware(routes: router.routes))
        return router
    }

    struct RulesView: Encodable {
        struct Failure: Encodable {
            var at: Date
            var problems: [String]
        }
        var version: String
        var loadedAt: Date
        var directory: String
        var signals: Int
        var routes: [String]
        var queues: [String]
        var scripts: [String]
        var patterns: Int
        /// The last refused reload since the active rules were loaded.
        var lastError: Failure?
    }

    func rulesView() -> RulesView {
        let edition = rules.current
        return RulesView(
            version: edition.rules.version, loadedAt: rules.loadedAt, directory: edition.rules.directory,
            signals: edition.rules.signals.count, routes: edition.rules.routes.map(\.id), queues: edition.rules.queues.map(\.id),
            scripts: edition.scripts.scriptIDs.sorted(), patterns: edition.rules.patternCount,
            lastError: rules.lastFailure.map { RulesView.Failure(at: $0.at, problems: $0.problems) })
    }
}
