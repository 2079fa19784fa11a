/// A refusal is the failure of a fetch (``AttachmentFetcher``), carried in a `Result`; like every error
/// here, its message is safe to log.
extension AttachmentRefusal: Error {}
