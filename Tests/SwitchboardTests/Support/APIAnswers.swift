import Foundation
import Testing

// The JSON answers of the HTTP API (and the webhook a reply receiver gets), as the tests read them. They
// mirror the wire, not the server's own types, so a field the server renames or drops fails the decoding
// here instead of following along: fields the API always sends are non-optional, and only what it
// leaves out at times is optional. Enumerations are kept as their strings, which the tests compare.

/// Decoding of the API's answers, and of the other JSON the tests read, failing the test with the type
/// and the body's first bytes.
enum APIAnswers {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// `data` decoded as `type`; a body that does not decode records an issue naming the type, the reason
    /// and the start of the body, and throws.
    static func decode<Answer: Decodable>(
        _ type: Answer.Type, from data: Data, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Answer {
        let answer: Answer?
        var reason = ""
        do {
            answer = try decoder.decode(type, from: data)
        } catch {
            answer = nil
            reason = describe(error)
        }
        let start = String(decoding: data.prefix(300), as: UTF8.self)
        return try #require(
            answer, Comment(rawValue: "the body is not a \(Answer.self): \(reason); it starts \(start.debugDescription)\(data.count > 300 ? "…" : "")"),
            sourceLocation: sourceLocation)
    }

    /// Which field was wrong and how, without the decoder's long context dump.
    static func describe(_ error: any Error) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.reduce("") { text, key in
                key.intValue.map { text + "[\($0)]" } ?? (text.isEmpty ? key.stringValue : text + "." + key.stringValue)
            }
            return text.isEmpty ? "(top level)" : text
        }
        switch error {
        case let DecodingError.keyNotFound(key, context):
            return "field '\(path(context.codingPath + [key]))' is missing"
        case let DecodingError.valueNotFound(type, context):
            return "field '\(path(context.codingPath))' is null, expected \(type)"
        case let DecodingError.typeMismatch(type, context):
            return "field '\(path(context.codingPath))' is not \(type)"
        case let DecodingError.dataCorrupted(context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        default:
            return String(describing: error)
        }
    }
}

/// `{"error": {"code", "message"}}`: every refusal of the API.
struct ErrorAnswer: Decodable, Sendable {
    struct Detail: Decodable, Sendable {
        var code: String
        var message: String
    }
    var error: Detail
}

/// A webhook source's 202: `{"conversation_id", "duplicate", "message_id"}`.
struct WebhookAcceptance: Decodable, Sendable {
    var conversationID: String
    var duplicate: Bool
    var messageID: String

    enum CodingKeys: String, CodingKey {
        case conversationID = "conversation_id", duplicate, messageID = "message_id"
    }
}

/// A mail source's 202: `{"message_id", "conversation_id", "duplicate", "threaded_by", "warnings",
/// "auto_reply_suppressed"?}`.
struct MailAcceptance: Decodable, Sendable {
    var messageID: String
    var conversationID: String
    var duplicate: Bool
    var threadedBy: String
    var warnings: [String]
    var autoReplySuppressed: String?

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id", conversationID = "conversation_id", duplicate, threadedBy = "threaded_by", warnings
        case autoReplySuppressed = "auto_reply_suppressed"
    }
}

/// `GET /v1/queues`.
struct QueueList: Decodable, Sendable {
    struct Queue: Decodable, Sendable {
        var id: String
        var name: String
        var open: Int
        var unassigned: Int
        var dueSoon: Int
        var breached: Int
        var overdue: Int

        enum CodingKeys: String, CodingKey {
            case id, name, open, unassigned, dueSoon = "due_soon", breached, overdue
        }
    }
    var queues: [Queue]
}

/// `GET /v1/queues/{queue}/conversations`: one page, and the cursor of the next when there is more.
struct ConversationList: Decodable, Sendable {
    var conversations: [QueueEntryAnswer]
    var next: String?
}

/// `GET /v1/conversations?customer=`: a customer's conversations.
struct CustomerConversations: Decodable, Sendable {
    var conversations: [ConversationAnswer]
}

/// A conversation as a queue lists it: its fields, its next deadline and its clocks.
struct QueueEntryAnswer: Decodable, Sendable {
    var conversation: ConversationAnswer
    var nextDueAt: Date?
    var clocks: [ClockAnswer]

    var id: String { conversation.id }

    enum CodingKeys: String, CodingKey {
        case nextDueAt = "next_due_at", clocks
    }

    init(from decoder: any Decoder) throws {
        conversation = try ConversationAnswer(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        nextDueAt = try container.decodeIfPresent(Date.self, forKey: .nextDueAt)
        clocks = try container.decode([ClockAnswer].self, forKey: .clocks)
    }
}

/// A conversation as the API shows it.
struct ConversationAnswer: Decodable, Sendable {
    var id: String
    var channel: String
    var source: String
    var customerAddress: String
    var customerTier: String
    var language: String
    var queue: String
    var priority: Int
    var urgency: String
    var sentiment: String
    var state: String
    var routeID: String
    var slaPolicy: String
    var slaDueAt: Date?
    var owner: String?
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, channel, source, customerAddress = "customer_address", customerTier = "customer_tier", language, queue, priority
        case urgency, sentiment, state, routeID = "route_id", slaPolicy = "sla_policy", slaDueAt = "sla_due_at", owner
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// `GET /v1/conversations/{id}`: the conversation and one page of each list.
struct ConversationPage: Decodable, Sendable {
    /// The cursors of the lists that have more; a list without one is complete.
    struct Next: Decodable, Sendable, Equatable {
        var messages: String?
        var outbox: String?
        var events: String?
    }
    var conversation: ConversationAnswer
    var messages: [MessageAnswer]
    var outbox: [OutboxEntryAnswer]
    var events: [EventAnswer]
    var clocks: [ClockAnswer]
    var next: Next
}

/// An SLA clock as the API shows it.
struct ClockAnswer: Decodable, Sendable {
    var kind: String
    var status: String
    var policy: String
    var dueAt: Date?
    var warnAt: Date?
    var remainingSeconds: Double
    var fulfilledAt: Date?
    var pauseReason: String?

    enum CodingKeys: String, CodingKey {
        case kind, status, policy, dueAt = "due_at", warnAt = "warn_at", remainingSeconds = "remaining_seconds"
        case fulfilledAt = "fulfilled_at", pauseReason = "pause_reason"
    }
}

/// A stored message as the API shows it.
struct MessageAnswer: Decodable, Sendable {
    struct Thread: Decodable, Sendable {
        var messageID: String?
        var inReplyTo: [String]
        var references: [String]
        var verifiedConversationID: String?

        enum CodingKeys: String, CodingKey {
            case messageID = "message_id", inReplyTo = "in_reply_to", references, verifiedConversationID = "verified_conversation_id"
        }
    }
    typealias Attachment = AttachmentAnswer
    var id: String
    var conversationID: String
    var direction: String
    var channel: String
    var source: String
    var externalID: String?
    var sender: String
    var recipients: [String]
    var subject: String?
    var text: String
    var receivedAt: Date
    /// Only with `include=raw`; base64 on the wire.
    var rawPayload: Data?
    var classification: ClassificationAnswer?
    var thread: Thread
    var threadedBy: String?
    var attachments: [Attachment]
    var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case id, conversationID = "conversation_id", direction, channel, source, externalID = "external_id", sender, recipients
        case subject, text, receivedAt = "received_at", rawPayload = "raw_payload", classification, thread, threadedBy = "threaded_by"
        case attachments, warnings
    }
}

/// What the rules decided about a message, with the matches that explain it.
struct ClassificationAnswer: Decodable, Sendable {
    struct Match: Decodable, Sendable {
        var classifier: String
        var signal: String
        var kind: String
        var term: String
        var field: String?
        var start: Int?
        var end: Int?
        var text: String?
        var weight: Int
        var negated: Bool
        var intensified: Bool?
    }
    struct Route: Decodable, Sendable {
        struct Reason: Decodable, Sendable {
            var route: String
            var condition: String
        }
        var routeID: String
        var fired: [String]
        var reasons: [Reason]?
        var queue: String
        var priority: Int
        var slaPolicy: String
        var autoReply: String?

        enum CodingKeys: String, CodingKey {
            case routeID = "route_id", fired, reasons, queue, priority, slaPolicy = "sla_policy", autoReply = "auto_reply"
        }
    }
    /// The conversation facts the structural signals read; only for a message that joined an open conversation.
    struct Context: Decodable, Sendable {
        var priorInboundMessages: Int
        var lastInboundAt: Date?
        var waitingSince: Date?
        var reopening: Bool

        enum CodingKeys: String, CodingKey {
            case priorInboundMessages = "prior_inbound_messages", lastInboundAt = "last_inbound_at", waitingSince = "waiting_since", reopening
        }
    }
    var rulesVersion: String
    var language: String
    var customerTier: String
    var urgency: String
    var urgencyScore: Int
    var sentiment: String
    var sentimentScore: Int
    var sentimentStrength: String?
    var intent: String?
    var matches: [Match]
    var route: Route
    var context: Context?

    enum CodingKeys: String, CodingKey {
        case rulesVersion = "rules_version", language, customerTier = "customer_tier", urgency, urgencyScore = "urgency_score"
        case sentiment, sentimentScore = "sentiment_score", sentimentStrength = "sentiment_strength", intent, matches, route, context
    }
}

/// A reply in the outbox: `POST /v1/outbox`, `GET /v1/outbox/{id}`, and the detail page's `outbox`.
struct OutboxEntryAnswer: Decodable, Sendable {
    var id: String
    var conversationID: String
    var channel: String
    var source: String
    var recipient: String
    var script: String?
    var body: String
    var status: String
    var attempts: Int
    var nextAttemptAt: Date?
    var lastError: String?
    var automatic: Bool
    var author: String
    var createdAt: Date
    var updatedAt: Date
    var providerMessageID: String?

    enum CodingKeys: String, CodingKey {
        case id, conversationID = "conversation_id", channel, source, recipient, script, body, status, attempts
        case nextAttemptAt = "next_attempt_at", lastError = "last_error", automatic, author, createdAt = "created_at"
        case updatedAt = "updated_at", providerMessageID = "provider_message_id"
    }
}

/// One entry of a conversation's audit trail.
struct EventAnswer: Decodable, Sendable {
    var at: Date
    var subjectKind: String
    var subjectID: String
    var conversationID: String
    var kind: String
    var actor: String
    var detail: [String: String]

    enum CodingKeys: String, CodingKey {
        case at, subjectKind = "subject_kind", subjectID = "subject_id", conversationID = "conversation_id", kind, actor, detail
    }
}

/// `GET /v1/rules` and `POST /v1/rules/reload`: the rules in force, and the last refused reload.
struct RulesStatus: Decodable, Sendable {
    struct Failure: Decodable, Sendable {
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
    var lastError: Failure?

    enum CodingKeys: String, CodingKey {
        case version, loadedAt = "loaded_at", directory, signals, routes, queues, scripts, patterns, lastError = "last_error"
    }
}

/// `POST /v1/tokens/reload` when it took the file: the tokens now in force, without their secrets.
struct TokenList: Decodable, Sendable {
    struct Token: Decodable, Sendable {
        var id: String
        var name: String
        var role: String
        var notAfter: Date?
        var sources: [String]?
        var queues: [String]?

        enum CodingKeys: String, CodingKey {
            case id, name, role, notAfter = "not_after", sources, queues
        }
    }
    var tokens: [Token]
}

/// `POST /v1/tokens/reload` when it refused the file: the error and every problem.
struct TokenReloadRefusal: Decodable, Sendable {
    var error: ErrorAnswer.Detail
    var problems: [String]
}

/// What a webhook source's `reply_url` receives for each reply.
struct ReplyPayload: Decodable, Sendable {
    /// One file of a reply, inline.
    struct File: Decodable, Sendable {
        var id: String?
        var filename: String?
        var contentType: String
        var size: Int
        var sha256: String?
        var dataBase64: String

        enum CodingKeys: String, CodingKey {
            case id, filename, size, sha256, contentType = "content_type", dataBase64 = "data_base64"
        }
    }
    var type: String
    var id: String
    var conversationID: String
    var source: String
    var to: String
    var text: String
    var script: String?
    var automatic: Bool
    var createdAt: Date
    var attachments: [File]?

    enum CodingKeys: String, CodingKey {
        case type, id, conversationID = "conversation_id", source, to, text, script, automatic, createdAt = "created_at", attachments
    }
}

/// A file as a message lists it and as `POST /v1/attachments` answers: kept ones with their id, hash and
/// detected type; refused ones with why.
struct AttachmentAnswer: Decodable, Sendable {
    struct Refusal: Decodable, Sendable {
        var code: String
        var message: String
    }
    var id: String?
    var name: String?
    var contentType: String
    var size: Int
    var inline: Bool?
    var contentID: String?
    var sha256: String?
    var detectedType: String?
    var refusal: Refusal?

    enum CodingKeys: String, CodingKey {
        case id, name, contentType = "content_type", size, inline, contentID = "content_id", sha256, detectedType = "detected_type", refusal
    }
}
