/// Why an attachment was not kept: the message is kept and acknowledged, and this record takes the
/// file's place so the agent sees that something came and why it is missing.
public struct AttachmentRefusal: Sendable, Codable, Equatable {
    /// `too_large` (one file over the source's `max_bytes`), `total_too_large` (the message's files
    /// together over `max_total_bytes`), `too_many` (over `max_count`), `fetch_failed` (a provider-hosted
    /// file that could not be fetched), `not_fetched` (a provider-hosted file the source may not fetch).
    public var code: String
    /// A sentence for the agent; names limits and sizes, never the file's bytes or a credential.
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}
