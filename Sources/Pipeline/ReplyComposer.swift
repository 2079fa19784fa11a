import Digests
import Foundation
import Logging
import Metrics
import Replies
import Rules
import SwitchboardCore

/// Turns an agent's reply request into a committed outbox entry: free text is checked, a script is
/// rendered strictly, and nothing is queued if either fails. A reply promising more than `approval.yaml`
/// allows is committed held (`awaiting_approval`) for a supervisor.
public struct ReplyComposer: Sendable {
    /// What an agent asked to send.
    public struct Request: Sendable {
        public var conversationID: String
        public var script: String?
        public var variables: [String: String]
        public var text: String?
        /// The token id of the agent; becomes the owner if the conversation has none.
        public var author: String
        public var authorName: String
        public var idempotencyKey: String?
        /// A digest of the request, so the same key with a different request is detected.
        public var fingerprint: String?
        /// The agent's uploads the reply carries (`POST /v1/attachments`), in order.
        public var attachmentIDs: [String]

        public init(
            conversationID: String, script: String?, variables: [String: String], text: String?, author: String,
            authorName: String, idempotencyKey: String?, fingerprint: String?, attachmentIDs: [String] = []
        ) {
            self.attachmentIDs = attachmentIDs
            self.conversationID = conversationID
            self.script = script
            self.variables = variables
            self.text = text
            self.author = author
            self.authorName = authorName
            self.idempotencyKey = idempotencyKey
            self.fingerprint = fingerprint
        }
    }

    let store: any OutboxStore & ConversationQueries
    let rules: RuleBook
    private let timeZone: TimeZone
    private let logger: Logger
    private let outboxChanged: @Sendable () -> Void
    let validator: ReplyValidator
    let now: @Sendable () -> Date
    private let metricsFactory: any MetricsFactory

    /// - Parameters:
    ///   - validator: refuses replies their channel cannot carry (an SMS over its segment limit).
    ///   - now: the clock replies are written by, and their deadlines read at.
    ///   - metricsFactory: counts held replies (`switchboard_approvals_total{outcome="held"}`).
    public init(
        store: any OutboxStore & ConversationQueries, rules: RuleBook, timeZone: TimeZone, logger: Logger, validator: ReplyValidator = .none,
        now: @escaping @Sendable () -> Date = { Date() }, metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance,
        outboxChanged: @escaping @Sendable () -> Void
    ) {
        self.now = now
        self.metricsFactory = metricsFactory
        self.validator = validator
        self.store = store
        self.rules = rules
        self.timeZone = timeZone
        self.logger = logger
        self.outboxChanged = outboxChanged
    }

    /// The deadline a reply states (`sla.due`): that of the first clock, in ``ClockKind`` order, still
    /// counting towards one. It is the clock's own, from its log, so a pause or an escalation is in it;
    /// the conversation's stored `sla_due_at` is only the first response's as bound at intake.
    public static func boundDeadline(_ clocks: [ClockSummary]) -> Date? {
        clocks.first { $0.fulfilledAt == nil && $0.dueAt != nil }?.dueAt
    }

    /// Renders and commits the reply: held for approval when `approval.yaml` says it needs one.
    /// - Throws: ``SwitchboardError`` (`not_found`, `unknown_script`, `invalid_variable`,
    ///   `missing_template_variable`, `forbidden_phrase`, `invalid_template`, `reply_too_long`,
    ///   `malformed_amount`, `media_not_supported`, `invalid_attachment`) or a storage error.
    public func compose(_ request: Request) async throws -> EnqueueResult {
        // Names first, before anything splits or nests them: their checks are linear in their length.
        if request.script != nil {
            try TemplateVariableNames.validate(request.variables.keys)
        }
        guard let conversation = try await store.conversation(id: request.conversationID) else {
            throw SwitchboardError(.notFound, "conversation '\(request.conversationID.excerptForMessage())' does not exist")
        }
        let body: String
        if let script = request.script {
            body = try await renderChecked(
                script: script, variables: request.variables, for: conversation, author: request.author, authorName: request.authorName)
        } else {
            body = (request.text ?? "").trimmingWhitespace()
            try rules.current.scripts.check(text: body)
            try validator.validate(body, channel: conversation.channel, source: conversation.source)
        }
        try validator.validateAttachments(count: request.attachmentIDs.count, channel: conversation.channel, source: conversation.source)
        let at = now()
        let hold = try approvalHold(for: body, variables: request.script == nil ? [:] : request.variables, at: at)
        let result = try await store.enqueueReply(
            PendingReply(script: request.script, body: body, automatic: false, approval: hold, attachmentIDs: request.attachmentIDs),
            conversationID: conversation.id,
            author: request.author, idempotencyKey: request.idempotencyKey, requestFingerprint: request.fingerprint, at: at)
        if case let .created(entry) = result {
            var metadata: Logger.Metadata = [
                "outbox.id": "\(entry.id)", "conversation.id": "\(conversation.id)", "agent.id": "\(request.author)",
                "reply.script": "\(request.script ?? "-")",
            ]
            if let hold = entry.approval {
                metadata["approval.reason"] = "\(hold.reason.rawValue)"
                metadata["approval.expires_at"] = "\(hold.expiresAt.formatted(.iso8601))"
                logger.notice("reply held for a supervisor's approval", metadata: metadata)
                Counter(label: Self.approvalsLabel, dimensions: [("outcome", "held")], factory: metricsFactory).increment()
            } else {
                logger.info("reply queued", metadata: metadata)
                outboxChanged()
            }
        }
        return result
    }

    /// `switchboard_approvals_total{outcome="held|approved|rejected|expired"}`.
    public static let approvalsLabel = "switchboard_approvals_total"

    /// The hold `approval.yaml` puts on a rendered reply, nil when it may go at once (or there are no
    /// approval rules).
    /// - Throws: ``SwitchboardError`` `malformed_amount`, naming the variable (never its value).
    public func approvalHold(for body: String, variables: [String: String], at: Date) throws -> ApprovalHold? {
        guard let policy = rules.current.rules.approval else { return nil }
        switch policy.check(text: body, variables: variables) {
        case .allowed:
            return nil
        case let .malformedAmount(variable):
            throw SwitchboardError(
                .malformedAmount, "variable '\(variable.excerptForMessage())' must be an amount of money (such as 600, ¥600 or 600元)")
        case let .needsApproval(reason):
            let (amount, kind): (MoneyAmount, ApprovalHold.Reason) = switch reason {
            case let .aboveThreshold(amount): (amount, .aboveThreshold)
            case let .noRate(amount): (amount, .noRate)
            }
            return ApprovalHold(
                amount: Self.amountText(amount), reason: kind, expiresAt: at.addingTimeInterval(policy.expiresAfter),
                contentSHA256: Self.contentSHA256(body))
        }
    }

    /// The hash an approval fixes a reply's body by: SHA-256 of its UTF-8, lower-case hex.
    public static func contentSHA256(_ body: String) -> String {
        Digest.hex(Digest.sha256(body))
    }

    /// `CNY 800.00`: the currency code, then the value with at least two decimals.
    static func amountText(_ amount: MoneyAmount) -> String {
        let whole = amount.micros / 1_000_000
        var fraction = String(amount.micros % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.count > 2, fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(amount.currency) \(whole).\(fraction)"
    }

    /// Renders a script for the conversation strictly, as ``compose(_:)`` does, and checks that its channel
    /// can carry it: for a message queued with an action (a hand-off's script, a survey's question) rather
    /// than on its own.
    ///
    /// - Parameter provided: variables the gateway fills in (a survey's links), which an agent may not.
    ///
    /// The message goes out with the action, so it cannot wait for a supervisor: one that `approval.yaml`
    /// would hold is refused (`approval_required`) rather than sent unapproved; ``reply(script:variables:for:author:authorName:)``
    /// gives the message with its hold for a caller that can queue it held.
    /// - Throws: ``SwitchboardError`` (`unknown_script`, `invalid_variable`, `missing_template_variable`,
    ///   `forbidden_phrase`, `invalid_template`, `reply_too_long`, `malformed_amount`, `approval_required`),
    ///   or a storage error.
    public func render(
        script: String, variables: [String: String], for conversation: Conversation, author: String, authorName: String,
        provided: [String: String] = [:]
    ) async throws -> String {
        let reply = try await reply(
            script: script, variables: variables, for: conversation, author: author, authorName: authorName, provided: provided)
        if reply.approval != nil {
            throw SwitchboardError(
                .approvalRequired,
                "the message promises an amount that needs a supervisor's approval (approval.yaml); send it as a reply, which waits for one")
        }
        return reply.body
    }

    /// A script rendered for the conversation as ``render(script:variables:for:author:authorName:)`` does,
    /// with the approval hold `approval.yaml` puts on it (expiring from now).
    /// - Throws: as ``render(script:variables:for:author:authorName:)``, except `approval_required`.
    public func reply(
        script: String, variables: [String: String], for conversation: Conversation, author: String, authorName: String,
        provided: [String: String] = [:]
    ) async throws -> PendingReply {
        let body = try await renderChecked(
            script: script, variables: variables, for: conversation, author: author, authorName: authorName, provided: provided)
        let hold = try approvalHold(for: body, variables: variables, at: now())
        return PendingReply(script: script, body: body, automatic: false, approval: hold)
    }

    /// Renders strictly and checks the channel can carry the result; no approval check.
    private func renderChecked(
        script: String, variables: [String: String], for conversation: Conversation, author: String, authorName: String,
        provided: [String: String] = [:]
    ) async throws -> String {
        let body = try await renderStrictly(
            script: script, variables: variables, for: conversation, author: author, authorName: authorName, provided: provided)
        try validator.validate(body, channel: conversation.channel, source: conversation.source)
        return body
    }

    /// Renders strictly: every variable the template reads must be given, and the text may hold no
    /// forbidden phrase. Whether the channel can carry it is not checked.
    func renderStrictly(
        script: String, variables: [String: String], for conversation: Conversation, author: String, authorName: String,
        provided: [String: String] = [:]
    ) async throws -> String {
        try TemplateVariableNames.validate(variables.keys)
        for name in variables.keys {
            if ReplyContext.isFilledByGateway(name) {
                throw SwitchboardError(.invalidTemplate, "variable '\(name.excerptForMessage())' is filled in by the gateway and cannot be supplied")
            }
        }
        let edition = rules.current
        var context = ReplyContext.variables(
            conversationID: conversation.id, reference: conversation.reference,
            customerAddress: conversation.customerAddress, language: conversation.language,
            queue: edition.rules.queue(id: conversation.queue), queueID: conversation.queue,
            slaPolicy: edition.rules.slaPolicies[conversation.slaPolicy],
            slaDueAt: try await Self.boundDeadline(store.clocks(conversationID: conversation.id, at: now())) ?? conversation.slaDueAt,
            subject: nil, timeZone: timeZone)
        context["agent.id"] = author
        context["agent.name"] = authorName
        context.merge(variables) { _, supplied in supplied }
        context.merge(provided) { _, gateway in gateway }
        return try edition.scripts.render(
            script: script, language: conversation.language, channel: conversation.channel.rawValue, context: context
        ).body
    }
}
