import Foundation
import Hummingbird
import Logging
import Metrics
import Pipeline
import SwitchboardCore

/// The HTTP API: inbound channels, the agents' outbox and queues, and operations endpoints.
public struct API: Sendable {
    /// An inbound source as the API sees it.
    public struct InboundSource: Sendable {
        public var id: String
        public var channel: ChannelKind
        public var verifier: InboundVerifier
        /// Reads a raw RFC 5322 message into an inbound message; set for email sources, which accept
        /// `POST /v1/inbound/mime/{source}` from a mail server.
        public var readMIME: (@Sendable (Data) -> InboundMessage)?
        /// Largest raw message accepted on the MIME endpoint; other endpoints use the server's limit.
        public var maxMessageBytes: Int?
        /// Reads an SMS gateway's callbacks; set for SMS sources, which accept
        /// `/v1/inbound/sms/{source}` and `/v1/inbound/sms/{source}/report`.
        public var callbacks: (any CallbackReader)?

        /// Whether its requests carry a proof (a signature, a provider's secret): such a source's rate
        /// budget is spent only by requests whose proof holds.
        var verifiesRequests: Bool {
            if callbacks != nil { return true }
            if case .none = verifier { return false }
            return true
        }

        public init(
            id: String, channel: ChannelKind, verifier: InboundVerifier, readMIME: (@Sendable (Data) -> InboundMessage)? = nil,
            maxMessageBytes: Int? = nil
        ) {
            self.id = id
            self.channel = channel
            self.verifier = verifier
            self.readMIME = readMIME
            self.maxMessageBytes = maxMessageBytes
        }
    }

    public struct Configuration: Sendable {
        /// Largest request body accepted on any endpoint.
        public var maxBodyBytes: Int
        public var sources: [String: InboundSource]
        /// The API tokens, swapped whole by a reload.
        public var tokens: AccessTokens
        /// Per-source request rates on the inbound endpoints.
        public var rateLimiter: InboundRateLimiter
        /// Failed proofs one client address may make before it is answered 429 unchecked: refilled per
        /// second, and the burst. Wrong API tokens and failed inbound signatures are counted apart. Nil
        /// for no limit.
        public var clientFailureLimit: InboundRateLimiter.Limit?

        public init(
            maxBodyBytes: Int, sources: [String: InboundSource], tokens: AccessTokens, rateLimiter: InboundRateLimiter = InboundRateLimiter(limits: [:]),
            clientFailureLimit: InboundRateLimiter.Limit? = nil
        ) {
            self.maxBodyBytes = maxBodyBytes
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
    let rules: RuleBook
    let metricsFactory: any MetricsFactory
    let metricsText: @Sendable () async -> String
    let reloadRules: @Sendable () async -> [String]
    let reloadTokens: @Sendable () -> [String]
    /// Failed inbound proofs (signatures, provider secrets) by client address.
    let inboundFailures: ClientFailureLimiter
    /// Which inbound refusals get a log line.
    let inboundRefusalLog = RefusalLog()

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
        rules: RuleBook,
        metricsFactory: any MetricsFactory,
        metricsText: @escaping @Sendable () async -> String,
        reloadRules: @escaping @Sendable () async -> [String],
        reloadTokens: @escaping @Sendable () -> [String] = { ["no configuration file to reload tokens from"] }
    ) {
        self.configuration = configuration
        self.store = store
        self.intake = intake
        self.composer = composer
        self.rules = rules
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
        router.get("metrics") { _, _ in
            let text = await metricsText()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        router.post("v1/inbound/webhook/:source") { request, context in
            try await receiveWebhook(request, context: context)
        }
        router.post("v1/inbound/mime/:source") { request, context in
            try await receiveMIME(request, context: context)
        }
        // Kannel's get-url calls with GET; its post-url and Twilio post.
        router.get("v1/inbound/sms/:source") { request, context in try await receiveSMS(request, context: context) }
        router.post("v1/inbound/sms/:source") { request, context in try await receiveSMS(request, context: context) }
        router.get("v1/inbound/sms/:source/report") { request, context in try await receiveSMSReport(request, context: context) }
        router.post("v1/inbound/sms/:source/report") { request, context in try await receiveSMSReport(request, context: context) }

        let refusals = AuthRefusals(store: store, failureLimit: configuration.clientFailureLimit, metricsFactory: metricsFactory)
        let accessLog = AccessLogMiddleware(store: store, metricsFactory: metricsFactory)
        let agents = router.group("v1")
            .add(middleware: BearerAuthMiddleware(tokens: configuration.tokens, allowedRoles: [.agent, .ops], refusals: refusals))
            .add(middleware: accessLog)
        agents.get("queues") { _, context in try await listQueues(context: context) }
        agents.get("queues/:queue/conversations") { request, context in try await listConversations(request, context: context) }
        agents.get("conversations/:id") { request, context in try await showConversation(request, context: context) }
        agents.post("outbox") { request, context in try await postReply(request, context: context) }
        agents.get("outbox/:id") { _, context in try await showOutboxEntry(context: context) }

        let ops = router.group("v1/rules")
            .add(middleware: BearerAuthMiddleware(tokens: configuration.tokens, allowedRoles: [.ops], refusals: refusals))
            .add(middleware: accessLog)
        ops.get("") { _, _ in try JSONBody.response(rulesView()) }
        ops.post("reload") { _, _ in
            let problems = await reloadRules()
            return try JSONBody.response(rulesView(), status: problems.isEmpty ? .ok : .unprocessableContent)
        }

        let tokenOps = router.group("v1/tokens")
            .add(middleware: BearerAuthMiddleware(tokens: configuration.tokens, allowedRoles: [.ops], refusals: refusals))
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
