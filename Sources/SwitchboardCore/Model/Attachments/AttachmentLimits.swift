/// How much one source may attach to a message: the size of one file, the files together, and their
/// count. A file over any of them is not kept: the message is, with a refusal in the file's place.
public struct AttachmentLimits: Sendable, Equatable {
    /// Largest single file, in bytes.
    public var maxBytes: Int
    /// Largest sum of one message's kept files, in bytes.
    public var maxTotalBytes: Int
    /// Most files kept per message.
    public var maxCount: Int

    /// 25 MiB, the message size limit of the common mail providers, for one file and for all of them.
    public static let standard = AttachmentLimits(maxBytes: 25 * 1024 * 1024, maxTotalBytes: 25 * 1024 * 1024, maxCount: 50)

    public init(maxBytes: Int, maxTotalBytes: Int, maxCount: Int) {
        self.maxBytes = maxBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxCount = maxCount
    }

    /// The attachments with every file over a limit refused, in order: each file is checked against the
    /// single-file limit, then the count and the running total of those kept before it. Files already
    /// refused stay as they are and count toward nothing.
    public func apply(to attachments: [MessageAttachment]) -> [MessageAttachment] {
        var kept = 0, total = 0
        return attachments.map { attachment in
            guard attachment.refusal == nil else { return attachment }
            let size = attachment.content?.count ?? attachment.size
            if size > maxBytes {
                return attachment.refused(AttachmentRefusal(
                    code: "too_large", message: "the file is \(size) bytes; this source keeps files up to \(maxBytes) bytes"))
            }
            if kept >= maxCount {
                return attachment.refused(AttachmentRefusal(
                    code: "too_many", message: "this source keeps at most \(maxCount) files per message"))
            }
            if total + size > maxTotalBytes {
                return attachment.refused(AttachmentRefusal(
                    code: "total_too_large",
                    message: "the message's files come to more than \(maxTotalBytes) bytes, the most this source keeps per message"))
            }
            kept += 1
            total += size
            return attachment
        }
    }
}
