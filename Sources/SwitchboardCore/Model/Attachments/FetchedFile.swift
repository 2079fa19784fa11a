import Foundation

/// A provider-hosted file as an ``AttachmentFetcher`` brought it back.
public struct FetchedFile: Sendable, Equatable {
    /// The body of the final (2xx) response, whole.
    public var data: Data
    /// The `Content-Type` the host declared: shown, never trusted when serving.
    public var contentType: String?

    public init(data: Data, contentType: String?) {
        self.data = data
        self.contentType = contentType
    }
}
