/// The inbound side of one channel: how a source's requests prove they are its own, what they carry, and
/// what to answer once that is committed. The HTTP server serves every channel through one route with it
/// (`/v1/inbound/{path}/{source}` and `…/report`), so adding a channel adds an adapter, not a route.
///
/// Refusals are values: a failed proof is an ``InboundRefusal``; an unreadable request throws a
/// ``SwitchboardError`` naming the field. Neither ever holds a secret, an address or the body.
public protocol InboundChannel: Sendable {
    /// The endpoint path segment: `webhook` in `/v1/inbound/webhook/{source}`.
    static var path: String { get }
    /// What its sources are called in an answer ("no email source named …").
    static var sourceKind: String { get }
    /// The methods each endpoint takes; an endpoint not listed is not served.
    static var methods: [InboundRequest.Endpoint: [String]] { get }
    /// The media types a body must declare, checked before it is read (415); nil takes any.
    static var mediaTypes: [String]? { get }
    /// Whether its requests carry a proof (a signature, a provider's secret): such a source's rate budget
    /// is spent only by requests whose proof holds, and a failed proof is charged to the client.
    var verifiesRequests: Bool { get }
    /// The largest request body this source takes; nil for the server's `max_body_bytes`.
    var maxBodyBytes: Int? { get }
    /// The limits the files of this source's messages are kept within, and where a posted URL may be
    /// fetched from; applied to what ``read(_:)`` returns before the commit.
    var attachmentPolicy: AttachmentPolicy { get }

    /// Why the request must be refused (a missing or wrong signature), or nil when it is genuine.
    func verify(_ request: InboundRequest) -> InboundRefusal?

    /// What a genuine request carries.
    /// - Throws: ``SwitchboardError`` (`invalid_request`, `invalid_callback`, `control_character`) naming
    ///   what is missing or malformed.
    func read(_ request: InboundRequest) throws(SwitchboardError) -> InboundContent

    /// The answer once what the request carried is committed.
    func acknowledgement(_ receipt: InboundReceipt) -> InboundAcknowledgement
}

extension InboundChannel {
    public var maxBodyBytes: Int? { nil }

    /// The standard limits, and no URL fetched.
    public var attachmentPolicy: AttachmentPolicy { .standard }
}
