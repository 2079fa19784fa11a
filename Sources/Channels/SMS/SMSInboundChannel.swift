import SwitchboardCore

/// An SMS source's inbound side: its gateway calls `/v1/inbound/sms/{source}` with inbound messages
/// (Kannel's `get-url`/`post-url`, a Twilio form post) and `…/report` with delivery reports, by GET or
/// POST. Answered 200 only after the commit, so a gateway that gets no 2xx delivers again, and its message
/// id stores the retry once.
public struct SMSInboundChannel: InboundChannel {
    let provider: any SMSProvider
    /// The source's limits for MMS files, and whether their fetches follow redirects (Twilio's media URLs
    /// redirect to its CDN).
    public let attachmentPolicy: AttachmentPolicy

    public init(provider: any SMSProvider, attachmentPolicy: AttachmentPolicy = .standard) {
        self.provider = provider
        self.attachmentPolicy = attachmentPolicy
    }

    public static var path: String { "sms" }
    public static var sourceKind: String { "SMS" }
    public static var methods: [InboundRequest.Endpoint: [String]] { [.messages: ["GET", "POST"], .reports: ["GET", "POST"]] }
    public static var mediaTypes: [String]? { nil }
    public var verifiesRequests: Bool { true }

    public func verify(_ request: InboundRequest) -> InboundRefusal? {
        // 403, as the providers' own documentation has a refused callback answered.
        provider.rejection(of: request).map { InboundRefusal($0, status: 403) }
    }

    public func read(_ request: InboundRequest) throws(SwitchboardError) -> InboundContent {
        switch request.endpoint {
        case .messages: .messages([try provider.inboundMessage(from: request)])
        case .reports: .deliveryReport(try provider.deliveryReport(from: request))
        }
    }

    public func acknowledgement(_ receipt: InboundReceipt) -> InboundAcknowledgement {
        let (contentType, body) = provider.acknowledgement
        return InboundAcknowledgement(status: 200, contentType: contentType, body: body)
    }
}
