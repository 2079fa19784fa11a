import Foundation
import StrictYAML
import SwitchboardCore

/// One message as `switchboard classify` and `switchboard rules replay --input` read it: a JSON object on
/// one line, with the keys of a golden test's `message` (snake_case, as documented) and an optional `id`.
///
/// Keys are checked as strictly as the rule files are: an unknown key, at the top or in `context`, is an
/// error naming the key, never silently ignored. A misspelt `context` key would otherwise classify the
/// message as if it had no conversation behind it.
public struct MessageLine: Sendable {
    /// The caller's id for the message, if the line gave one.
    public var id: String?
    public var input: ClassificationInput

    /// The keys a line may have.
    public static let keys = ["id", "channel", "source", "from", "subject", "text", "received_at", "context"]
    /// The keys of `context`, the facts of the open conversation the message joins; shared with golden tests.
    public static let contextKeys = ["prior_inbound_messages", "last_inbound_ago", "waiting_for", "reopening"]

    /// Why a line could not be read; safe to print (it names keys and values' types, never the text).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Reads one line. A line without `received_at` is classified at `now`.
    public static func parse(_ line: some StringProtocol, now: Date = Date()) throws(Failure) -> MessageLine {
        let raw: Raw
        do {
            raw = try JSONDecoder().decode(Raw.self, from: Data(line.utf8))
        } catch let failure as Failure {
            throw failure
        } catch let DecodingError.typeMismatch(type, context), let DecodingError.valueNotFound(type, context) {
            throw Failure("\(path(context.codingPath)) must be \(describe(type))")
        } catch let DecodingError.keyNotFound(key, context) {
            throw Failure("\(path(context.codingPath + [key])) is required")
        } catch {
            throw Failure("expected one JSON object with at least \"text\"")
        }
        var at = now
        if let receivedAt = raw.receivedAt {
            guard let parsed = ISO8601DateFormatter().date(from: receivedAt) else {
                throw Failure("received_at '\(receivedAt)' is not an ISO 8601 time like 2026-11-21T23:30:00+08:00")
            }
            at = parsed
        }
        var context: ConversationContext?
        if let facts = raw.context {
            func ago(_ key: String, _ text: String?) throws(Failure) -> Date? {
                guard let text else { return nil }
                guard let seconds = DurationText.seconds(text) else { throw Failure("context.\(key) '\(text)' is not a duration like 30m or 5h") }
                return at.addingTimeInterval(-seconds)
            }
            if let prior = facts.priorInboundMessages, prior < 0 { throw Failure("context.prior_inbound_messages must not be negative") }
            context = ConversationContext(
                priorInboundMessages: facts.priorInboundMessages ?? 0,
                lastInboundAt: try ago("last_inbound_ago", facts.lastInboundAgo),
                waitingSince: try ago("waiting_for", facts.waitingFor), reopening: facts.reopening ?? false)
        }
        return MessageLine(id: raw.id, input: ClassificationInput(
            channel: raw.channel ?? "webhook", source: raw.source ?? "cli", sender: raw.from ?? "", subject: raw.subject,
            text: raw.text, receivedAt: at, context: context))
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.isEmpty ? "the line" : codingPath.map(\.stringValue).joined(separator: ".")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: "a JSON object"
        }
    }

    /// A key, whatever its name, so unknown ones can be found.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static func refuseUnknownKeys(in decoder: any Decoder, allowed: [String], what: String) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys.map(\.stringValue).sorted() where !allowed.contains(key) {
            throw Failure("unknown key '\(key)' in \(what) (allowed: \(allowed.joined(separator: ", ")))")
        }
    }

    private struct Raw: Decodable {
        var id: String?
        var channel: String?
        var source: String?
        var from: String?
        var subject: String?
        var text: String
        var receivedAt: String?
        var context: Facts?

        enum CodingKeys: String, CodingKey {
            case id, channel, source, from, subject, text, context
            case receivedAt = "received_at"
        }

        init(from decoder: any Decoder) throws {
            try MessageLine.refuseUnknownKeys(in: decoder, allowed: MessageLine.keys, what: "the message")
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decodeIfPresent(String.self, forKey: .id)
            channel = try container.decodeIfPresent(String.self, forKey: .channel)
            source = try container.decodeIfPresent(String.self, forKey: .source)
            from = try container.decodeIfPresent(String.self, forKey: .from)
            subject = try container.decodeIfPresent(String.self, forKey: .subject)
            text = try container.decode(String.self, forKey: .text)
            receivedAt = try container.decodeIfPresent(String.self, forKey: .receivedAt)
            context = try container.decodeIfPresent(Facts.self, forKey: .context)
        }
    }

    private struct Facts: Decodable {
        var priorInboundMessages: Int?
        var lastInboundAgo: String?
        var waitingFor: String?
        var reopening: Bool?

        enum CodingKeys: String, CodingKey {
            case priorInboundMessages = "prior_inbound_messages"
            case lastInboundAgo = "last_inbound_ago"
            case waitingFor = "waiting_for"
            case reopening
        }

        init(from decoder: any Decoder) throws {
            try MessageLine.refuseUnknownKeys(in: decoder, allowed: MessageLine.contextKeys, what: "context")
            let container = try decoder.container(keyedBy: CodingKeys.self)
            priorInboundMessages = try container.decodeIfPresent(Int.self, forKey: .priorInboundMessages)
            lastInboundAgo = try container.decodeIfPresent(String.self, forKey: .lastInboundAgo)
            waitingFor = try container.decodeIfPresent(String.self, forKey: .waitingFor)
            reopening = try container.decodeIfPresent(Bool.self, forKey: .reopening)
        }
    }
}
