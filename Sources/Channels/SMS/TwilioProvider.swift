import Curl
import Foundation
import Logging
import Signing
import SwitchboardCore

/// Twilio and providers compatible with its API. Inbound messages and status callbacks are form posts
/// signed with `X-Twilio-Signature`; replies go to the REST `Messages` resource with basic auth and a
/// `StatusCallback` that brings delivery status to `/v1/inbound/sms/{source}/report`.
public struct TwilioProvider: SMSProvider {
    let source: SMSSource
    let settings: SMSSource.Twilio
    let address: PublicAddress
    let signer: TwilioSignature
    let client: CurlHTTPClient
    let logger: Logger
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - address: the public base URL the provider calls, which its signatures cover.
    ///   - now: the clock a message's receipt is stamped with.
    public init(
        source: SMSSource, settings: SMSSource.Twilio, address: PublicAddress, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.now = now
        self.source = source
        self.settings = settings
        self.address = address
        self.signer = TwilioSignature(authToken: settings.authToken)
        self.client = CurlHTTPClient()
        self.logger = logger
    }

    public var acknowledgement: (contentType: String, body: String) {
        // An empty TwiML response: Twilio sends nothing back on its own.
        ("text/xml; charset=utf-8", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>")
    }

    public func rejection(of callback: InboundRequest) -> String? {
        let pairs = callback.isForm ? InboundRequest.formPairs(String(decoding: callback.body, as: UTF8.self)) : []
        return signer.rejection(header: callback.headers["x-twilio-signature"], url: address.base + callback.target, parameters: pairs)
    }

    public func inboundMessage(from callback: InboundRequest) throws(SwitchboardError) -> InboundMessage {
        let form = callback.parameters
        guard let rawSender = form["From"], !rawSender.isEmpty else { throw SwitchboardError(.invalidCallback, "form field 'From' is missing") }
        guard let sender = PhoneNumber.e164(rawSender, defaultCountryCode: source.defaultCountryCode) else {
            throw SwitchboardError(.invalidCallback, "form field 'From' is not a phone number, short code or sender name")
        }
        guard let sid = form["MessageSid"] ?? form["SmsMessageSid"], !sid.isEmpty else {
            throw SwitchboardError(.invalidCallback, "form field 'MessageSid' is missing")
        }
        let body = form["Body"] ?? ""
        let media = max(0, Int(form["NumMedia"] ?? "0") ?? 0)
        guard !body.isEmpty || media > 0 else { throw SwitchboardError(.invalidCallback, "form field 'Body' is empty and the message has no media") }
        let receiver = form["To"].flatMap { PhoneNumber.e164($0, defaultCountryCode: source.defaultCountryCode) }
        return InboundMessage(
            channel: .sms, source: source.id, externalID: "twilio:" + sid, sender: sender, recipients: receiver.map { [$0] } ?? [],
            subject: nil, text: body.isEmpty ? "[MMS without text]" : body, receivedAt: now(), rawPayload: callback.body,
            attachments: mediaAttachments(form, count: media))
    }

    /// Most media files taken from one MMS, as many as Twilio carries; those beyond are refused `too_many`.
    static let maximumMedia = 10
    /// Most media entries listed at all, so that a wrong `NumMedia` cannot make a message of millions.
    static let maximumListedMedia = 100

    /// An MMS's `MediaUrl{N}` and `MediaContentType{N}` as files to fetch with the account's credentials.
    /// Credentials go only to the API's own scheme, host and port (`base_url`, api.twilio.com unless set):
    /// a media URL anywhere else is listed refused `not_fetched`.
    func mediaAttachments(_ form: [String: String], count: Int) -> [MessageAttachment] {
        let api = AttachmentPolicy.endpoint(of: settings.baseURL)
        let apiScheme = URLComponents(string: settings.baseURL)?.scheme?.lowercased()
        return (0..<min(count, Self.maximumListedMedia)).map { index in
            let declared = form["MediaContentType\(index)"].flatMap { $0.isEmpty ? nil : $0.lowercased() }
            let file = MessageAttachment(name: nil, contentType: declared ?? "application/octet-stream", size: 0)
            if index >= Self.maximumMedia {
                return file.refused(AttachmentRefusal(
                    code: "too_many", message: "an MMS brings at most \(Self.maximumMedia) files; this one named \(count)"))
            }
            guard let url = form["MediaUrl\(index)"], !url.isEmpty else {
                return file.refused(AttachmentRefusal(code: "not_fetched", message: "the provider named no MediaUrl\(index) for this file"))
            }
            guard let endpoint = AttachmentPolicy.endpoint(of: url), let api, endpoint.host == api.host, endpoint.port == api.port,
                  URLComponents(string: url)?.scheme?.lowercased() == apiScheme else {
                let host = AttachmentPolicy.endpoint(of: url)?.host ?? "an unreadable address"
                return file.refused(AttachmentRefusal(
                    code: "not_fetched", message: "the file is at host '\(host)', not the provider's API host, which alone gets the account's credentials"))
            }
            var remote = file
            remote.remote = RemoteAttachment(url: url, user: settings.accountSID, password: settings.authToken)
            return remote
        }
    }

    /// The source's limits; Twilio's media URLs redirect to its CDN, so their fetches follow redirects
    /// (the credentials stay with the API host).
    public func attachmentPolicy(_ source: SMSSource) -> AttachmentPolicy {
        AttachmentPolicy(limits: source.attachmentLimits, followRedirects: true)
    }

    public func deliveryReport(from callback: InboundRequest) throws(SwitchboardError) -> DeliveryReport {
        let form = callback.parameters
        guard let sid = form["MessageSid"] ?? form["SmsSid"], !sid.isEmpty else {
            throw SwitchboardError(.invalidCallback, "form field 'MessageSid' is missing")
        }
        guard let status = form["MessageStatus"] ?? form["SmsStatus"] else {
            throw SwitchboardError(.invalidCallback, "form field 'MessageStatus' is missing")
        }
        let state: DeliveryReport.State
        switch status {
        case "delivered", "read": state = .delivered
        case "undelivered", "failed", "canceled": state = .failed
        case "accepted", "scheduled", "queued", "sending", "sent": state = .accepted
        default: throw SwitchboardError(.invalidCallback, "MessageStatus '\(status.prefix(20))' is not one Twilio documents")
        }
        let code = form["ErrorCode"].flatMap { $0.isEmpty ? nil : $0 }
        return DeliveryReport(
            source: source.id, outboxID: form["outbox"], providerMessageID: sid, state: state,
            providerStatus: code.map { "\(status) (error \($0.prefix(10)))" } ?? status)
    }

    /// The JSON a `Messages` request answers with; only what is used.
    struct MessageResource: Decodable {
        var sid: String?
        var status: String?
        var code: Int?
    }

    public func submit(_ message: OutgoingSMS) async -> DeliveryOutcome {
        var form: [(String, String)] = [("To", message.to), ("Body", message.text)]
        if let service = settings.messagingServiceSID {
            form.append(("MessagingServiceSid", service))
        } else {
            form.append(("From", message.from))
        }
        form.append(("StatusCallback", message.reportURL + "?outbox=" + FormEncoding.escape(message.outboxID)))
        let credentials = Data("\(settings.accountSID):\(settings.authToken)".utf8).base64EncodedString()
        let url = settings.baseURL + "/2010-04-01/Accounts/" + FormEncoding.escape(settings.accountSID) + "/Messages.json"
        let request = HTTPRequest(
            method: "POST", url: url,
            headers: [
                ("authorization", "Basic \(credentials)"), ("content-type", "application/x-www-form-urlencoded"),
                ("user-agent", "switchboard"), ("idempotency-key", message.outboxID),
            ],
            body: Data(FormEncoding.encode(form).utf8), timeout: source.timeout)
        let response: HTTPResponse
        do {
            response = try await client.perform(request)
        } catch {
            logger.debug("sms provider unreachable", metadata: ["outbox.id": "\(message.outboxID)", "error": "\(error)"])
            return .retry(error: "provider unreachable: \(error)", after: nil)
        }
        let resource = try? JSONDecoder().decode(MessageResource.self, from: response.body)
        return Self.outcome(
            status: response.status, retryAfter: response.headers["retry-after"], resource: resource, segments: message.segments)
    }

    /// 2xx with a `sid`: submitted. 429 and 5xx: retried, honouring `Retry-After`. 401/403: the
    /// credentials are wrong. Other 4xx: refused, with the provider's error code (its message can quote
    /// the number, so it is left out).
    static func outcome(status: Int, retryAfter: String?, resource: MessageResource?, segments: SMSSegments) -> DeliveryOutcome {
        let code = resource?.code.map { ", error \($0)" } ?? ""
        switch status {
        case 200..<300:
            guard let sid = resource?.sid, !sid.isEmpty else {
                return .retry(error: "provider answered HTTP \(status) without a message sid", after: nil)
            }
            return .submitted(
                detail: "HTTP \(status), \(resource?.status ?? "queued"), \(segments.count) \(segments.encoding.rawValue) segment(s)",
                providerMessageID: sid)
        case 429, 500..<600:
            return .retry(
                error: "provider answered HTTP \(status)\(code)", after: retryAfter.flatMap { RetryAfter.seconds($0) })
        case 401, 403:
            return .failed(error: "provider refused the credentials (HTTP \(status)); check account_sid and auth_token")
        default:
            return .failed(error: "provider refused the message: HTTP \(status)\(code)")
        }
    }
}
