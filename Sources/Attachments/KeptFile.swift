import Digests
import Foundation
import SwitchboardCore

/// What every store records of a file it keeps, decided before the write so that no store works it out
/// its own way, and off the writer, which every other write waits for.
public enum KeptFile {
    /// The file with its id, hash and detected type set from its bytes; a file without bytes (refused, or
    /// never fetched) is returned as it is and is not kept.
    public static func prepare(_ attachment: MessageAttachment, at now: Date) -> MessageAttachment {
        guard let content = attachment.content, attachment.refusal == nil else { return attachment }
        var kept = attachment
        kept.id = attachment.id ?? Identifier.make("att", at: now)
        kept.size = content.count
        kept.sha256 = Digest.hex(Digest.sha256(content))
        kept.detectedType = ContentSniffer.sniff(content).rawValue
        return kept
    }
}
