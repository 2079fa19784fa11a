import Curl
import Digests
import Foundation
import Logging
import SwitchboardCore

/// Kannel's smsbox. Inbound messages (MO) arrive through an `sms-service` whose `get-url` (or `post-url`)
/// calls `/v1/inbound/sms/{source}`; replies (MT) go out through `sendsms` with a `dlr-url` that brings
/// Kannel's delivery reports back to `/v1/inbound/sms/{source}/report`.
///
/// The `get-url` to configure in `kannel.conf` (see the README):
/// `…/v1/inbound/sms/{source}?secret=SECRET&from=%p&to=%P&text=%b&coding=%c&charset=%C&smsc=%i&id=%I`
public struct KannelProvider: SMSProvider {
    let source: SMSSource
    let settings: SMSSource.Kannel
    let client: CurlHTTPClient
    let logger: Logger
    let now: @Sendable () -> Date

    /// - Parameter now: the clock a message's receipt is stamped with.
    public init(source: SMSSource, settings: SMSSource.Kannel, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
        self.source = source
        self.settings = settings
        self.client = CurlHTTPClient()
        self.logger = logger
    }

    public var acknowledgement: (contentType: String, body: String) {
        // smsbox sends a non-empty answer back to the customer as an SMS; the service is configured not to,
        // and an empty body keeps it so either way.
        ("text/plain; charset=utf-8", "")
    }

    // MARK: - Callbacks

    public func rejection(of callback: InboundRequest) -> String? {
        let parameters = callback.parameters
        if let outbox = parameters["outbox"] {
            // A delivery report: its URL carries an HMAC of the outbox id instead of the secret itself.
            guard let token = parameters["token"] else { return "delivery report without a token" }
            return Self.matches(token, reportToken(outboxID: outbox)) ? nil : "delivery report token does not match its outbox id"
        }
        guard let secret = parameters["secret"] else { return "no secret parameter (add secret=… to the sms-service get-url)" }
        return Self.matches(secret, settings.inboundSecret) ? nil : "secret does not match the source's inbound_secret"
    }

    private static func matches(_ given: String, _ expected: String) -> Bool {
        // Compared as digests so the comparison's length never depends on the secret's.
        Digest.constantTimeEqual(Digest.sha256(Array(given.utf8)), Digest.sha256(Array(expected.utf8)))
    }

    public func inboundMessage(from callback: InboundRequest) throws(SwitchboardError) -> InboundMessage {
        let parameters = callback.parameters
        let post = callback.method == "POST" && !callback.isForm
        // post-url sends the text as the body and the rest as X-Kannel-* headers; get-url puts all in the query.
        func field(_ name: String, header: String) -> String? {
            post ? (callback.headers[header] ?? parameters[name]) : parameters[name]
        }
        guard let rawSender = field("from", header: "x-kannel-from"), !rawSender.isEmpty else {
            throw SwitchboardError(.invalidCallback, "parameter 'from' (Kannel's %p) is missing")
        }
        guard let sender = PhoneNumber.e164(rawSender, defaultCountryCode: source.defaultCountryCode) else {
            throw SwitchboardError(.invalidCallback, "parameter 'from' is not a phone number, short code or sender name")
        }
        let receiver = field("to", header: "x-kannel-to").flatMap { PhoneNumber.e164($0, defaultCountryCode: source.defaultCountryCode) }
        let coding = field("coding", header: "x-kannel-coding").flatMap { Int($0) } ?? 0
        var charset = field("charset", header: "")?.uppercased()
        let bytes: [UInt8]
        if post {
            bytes = Array(callback.body)
            if charset == nil, let type = callback.headers["content-type"], let range = type.range(of: "charset=", options: .caseInsensitive) {
                charset = type[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "\" ;")).uppercased()
            }
        } else {
            guard let text = callback.queryBytes("text") else {
                throw SwitchboardError(.invalidCallback, "parameter 'text' (Kannel's %b) is missing")
            }
            bytes = text
        }
        guard let text = Self.decode(bytes, coding: coding, charset: charset) else {
            throw SwitchboardError(.invalidCallback, "text is not valid \(charset ?? (coding == 2 ? "UTF-16BE" : "UTF-8"))")
        }
        guard !text.isEmpty else { throw SwitchboardError(.invalidCallback, "the message text is empty") }
        var warnings: [String] = []
        if coding == 1 { warnings.append("8-bit binary message read as text") }
        return InboundMessage(
            channel: .sms, source: source.id, externalID: field("id", header: "x-kannel-id").flatMap { $0.isEmpty ? nil : "kannel:" + $0 },
            sender: sender, recipients: receiver.map { [$0] } ?? [], subject: nil, text: text, receivedAt: now(),
            rawPayload: Data(callback.target.utf8) + (post ? callback.body : Data()), warnings: warnings)
    }

    /// Kannel hands over UCS-2 as UTF-16BE bytes (`%C` says `UTF-16BE`), the 7-bit alphabet already as
    /// UTF-8 or Latin-1 text.
    static func decode(_ bytes: [UInt8], coding: Int, charset: String?) -> String? {
        let encoding: String.Encoding
        switch charset {
        case "UTF-16BE", "UCS-2", "UCS-2BE", "UTF-16": encoding = .utf16BigEndian
        case "ISO-8859-1", "LATIN1": encoding = .isoLatin1
        case "WINDOWS-1252", "CP1252": encoding = .windowsCP1252
        case "UTF-8", "UTF8": encoding = .utf8
        default: encoding = coding == 2 ? .utf16BigEndian : .utf8
        }
        if encoding == .utf16BigEndian, bytes.count % 2 != 0 { return nil }
        return String(bytes: bytes, encoding: encoding)
    }

    public func deliveryReport(from callback: InboundRequest) throws(SwitchboardError) -> DeliveryReport {
        let parameters = callback.parameters
        guard let outbox = parameters["outbox"], !outbox.isEmpty else {
            throw SwitchboardError(.invalidCallback, "parameter 'outbox' is missing from the delivery report URL")
        }
        guard let typeText = parameters["type"], let type = Int(typeText) else {
            throw SwitchboardError(.invalidCallback, "parameter 'type' (Kannel's %d) is missing or not a number")
        }
        let state: DeliveryReport.State
        switch type {
        case 1: state = .delivered  // delivered to the phone
        case 2, 16: state = .failed  // undeliverable, or refused by the SMSC
        case 4, 8: state = .accepted  // queued on the SMSC, or accepted by it
        default: throw SwitchboardError(.invalidCallback, "delivery report type \(type) is not one Kannel sends (1, 2, 4, 8, 16)")
        }
        // %A is the SMSC's own text ("ACK/", "NACK/…", "id:… stat:DELIVRD"): kept short, with no numbers in it.
        let smscText = String((parameters["status"] ?? "").prefix(60)).filter { !$0.isNewline }
        return DeliveryReport(
            source: source.id, outboxID: outbox, providerMessageID: nil, state: state,
            providerStatus: smscText.isEmpty ? "DLR \(type)" : "DLR \(type) \(smscText)")
    }

    /// Proves a delivery report URL was made by us for this entry, without putting the secret in it.
    func reportToken(outboxID: String) -> String {
        Digest.hex(Digest.hmacSHA256(key: Array(settings.inboundSecret.utf8), data: Array("dlr:\(outboxID)".utf8))).prefix(32).lowercased()
    }

    // MARK: - Submission

    public func submit(_ message: OutgoingSMS) async -> DeliveryOutcome {
        // Kannel fills in %d (report type) and %A (the SMSC's text) when it calls back.
        let reportURL = message.reportURL + "?outbox=" + FormEncoding.escape(message.outboxID)
            + "&token=" + reportToken(outboxID: message.outboxID) + "&type=%d&status=%A"
        var query: [(String, String)] = [
            ("username", settings.username), ("password", settings.password), ("from", message.from), ("to", message.to),
            ("text", message.text), ("charset", "UTF-8"), ("coding", String(message.segments.encoding.kannelCoding)),
            ("dlr-mask", String(settings.dlrMask)), ("dlr-url", reportURL),
        ]
        if let smsc = settings.smsc { query.append(("smsc", smsc)) }
        let separator = settings.sendsmsURL.contains("?") ? "&" : "?"
        let request = HTTPRequest(method: "GET", url: settings.sendsmsURL + separator + FormEncoding.encode(query), timeout: source.timeout)
        let response: HTTPResponse
        do {
            response = try await client.perform(request)
        } catch {
            // The URL holds the password: only the transport error's code is kept.
            logger.debug("kannel sendsms unreachable", metadata: ["outbox.id": "\(message.outboxID)", "error": "\(error)"])
            return .retry(error: "Kannel sendsms unreachable: \(error)", after: nil)
        }
        let answer = String(decoding: response.body.prefix(200), as: UTF8.self).trimmingWhitespace()
        return Self.outcome(status: response.status, answer: answer, segments: message.segments)
    }

    /// sendsms answers 202 with `0: Accepted for delivery` or `3: Queued for later delivery`; 403 either for
    /// wrong credentials or, with `Not routable`, when no SMSC can take the message (one is down or not
    /// configured: worth retrying while ops bring it back); other 4xx for a request it will never take; 5xx
    /// or 429 for a passing problem.
    static func outcome(status: Int, answer: String, segments: SMSSegments) -> DeliveryOutcome {
        let said = answer.isEmpty ? "" : " (\(answer.prefix(80)))"
        switch status {
        case 200..<300:
            return .submitted(detail: "Kannel HTTP \(status)\(said), \(segments.count) \(segments.encoding.rawValue) segment(s)", providerMessageID: nil)
        case 403 where answer.localizedCaseInsensitiveContains("not routable"):
            return .retry(error: "Kannel has no SMSC that can take the message (HTTP 403\(said)); check the SMSC's status", after: nil)
        case 429, 500..<600:
            return .retry(error: "Kannel sendsms answered HTTP \(status)\(said)", after: nil)
        case 401, 403:
            return .failed(error: "Kannel refused the sendsms credentials (HTTP \(status)); check the source's kannel username and password")
        default:
            return .failed(error: "Kannel sendsms refused the message: HTTP \(status)\(said)")
        }
    }
}
