/// The answer to an inbound request whose content is committed.
public struct InboundAcknowledgement: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: String

    public init(status: Int, contentType: String, body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A JSON object, as the API's own answers are written.
    public static func json(_ body: String, status: Int = 202) -> InboundAcknowledgement {
        InboundAcknowledgement(status: status, contentType: "application/json; charset=utf-8", body: body)
    }
}
