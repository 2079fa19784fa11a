/// Fetches a provider-hosted file (``RemoteAttachment``) before its message is committed, so that an
/// acknowledged message holds the bytes and not a link that may expire.
///
/// Every failure is a value: an ``AttachmentRefusal`` that takes the file's place while its message is
/// kept. Its message names the host at most, never the URL's path or query, nor a credential.
public protocol AttachmentFetcher: Sendable {
    /// Fetches `remote` with an HTTP GET.
    /// - Parameters:
    ///   - maxBytes: the largest body taken; a larger one is abandoned while it streams (`too_large`).
    ///   - followRedirects: whether a 3xx is followed (up to a few hops, never sending `remote`'s
    ///     credentials to another host) or refused (`fetch_failed`), as it must be where only some hosts
    ///     are allowed.
    func fetch(_ remote: RemoteAttachment, maxBytes: Int, followRedirects: Bool) async -> Result<FetchedFile, AttachmentRefusal>
}
