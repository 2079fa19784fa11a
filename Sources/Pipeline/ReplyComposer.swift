import Foundation
import Logging
import Metrics
import Replies
import Rules
import SwitchboardCore

/// Turns an agent's reply request into a committed outbox entry: free text is checked, a script is
/// rendered strictly, and nothing is queued if either fails.
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

        public init(
            conversationID: String, script: String?, variables: [String: String], text: String?, author: String,
            authorName: String, idempotencyKey: String?, fingerprint: String?
        ) {
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

    private let store: any OutboxStore & ConversationQueries
    private let rules: RuleBook
    private let timeZone: TimeZone
    private let logger: Logger
    private let outboxChanged: @Sendable () -> Void
    private let validator: ReplyValidator
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - validator: refuses replies their channel cannot carry (an SMS over its segment limit).
    ///   - now: the clock replies are written by, and their deadlines read at.
    public init(
        store: any OutboxStore & ConversationQueries, rules: RuleBook, timeZone: TimeZone, logger: Logger, validator: ReplyValidator = .none,
        now: @escaping @Sendable () -> Date = { Date() }, outboxChanged: @escaping @Sendable () -> Void
    ) {
        self.now = now
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

    /// Renders and commits the reply.
    /// - Throws: ``SwitchboardError`` (`not_found`, `unknown_script`, `invalid_variable`,
    ///   `missing_template_variable`, `forbidden_phrase`, `invalid_template`, `reply_too_long`) or a storage error.
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
            body = try await render(
                script: script, variables: request.variables, for: conversation, author: request.author, authorName: request.authorName)
        } else {
            body = (request.text ?? "").trimmingWhitespace()
            try rules.current.scripts.check(text: body)
            try validator.validate(body, channel: conversation.channel, source: conversation.source)
        }
        let result = try await store.enqueueReply(
            PendingReply(script: request.script, body: body, automatic: false), conversationID: conversation.id,
            author: request.author, idempotencyKey: request.idempotencyKey, requestFingerprint: request.fingerprint, at: now())
        if case let .created(entry) = result {
            logger.info("reply queued", metadata: [
                "outbox.id": "\(entry.id)", "conversation.id": "\(conversation.id)", "agent.id": "\(request.author)",
                "reply.script": "\(request.script ?? "-")",
            ])
            outboxChanged()
        }
        return result
    }

    /// Renders a script for the conversation strictly, as ``compose(_:)`` does, and checks that its channel
    /// can carry it: for a message queued with an action (a hand-off's script, a survey's question) rather
    /// than on its own.
    ///
    /// - Parameter provided: variables the gateway fills in (a survey's links), which an agent may not.
    /// - Throws: ``SwitchboardError`` (`unknown_script`, `invalid_variable`, `missing_template_variable`,
    ///   `forbidden_phrase`, `invalid_template`, `reply_too_long`), or a storage error.
    public func render(
        script: String, variables: [String: String], for conversation: Conversation, author: String, authorName: String,
        provided: [String: String] = [:]
    ) async throws -> String {
        try TemplateVariableNames.validate(variables.keys)
        for name in variables.keys {
            let head = name.split(separator: ".").first.map(String.init) ?? name
            if ReplyContext.reservedPrefixes.contains(head) {
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
        let body = try edition.scripts.render(
            script: script, language: conversation.language, channel: conversation.channel.rawValue, context: context
        ).body
        try validator.validate(body, channel: conversation.channel, source: conversation.source)
        return body
    }
}
