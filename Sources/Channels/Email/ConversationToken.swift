import Digests

/// The conversation token carried in the Message-ID of every email we send:
/// `sb.<conversation id>.<outbox id>.<signature>@<domain>`. A customer's reply cites it in In-Reply-To
/// or References; the HMAC signature means a forged or edited id cannot pull mail into a conversation.
public struct ConversationToken: Sendable {
    private let key: [UInt8]
    private let domain: String

    public init(secret: String, domain: String) {
        self.key = Array(secret.utf8)
        self.domain = domain
    }

    /// The Message-ID (without angle brackets) for a reply from the outbox; stable across retries, so a
    /// receiver can drop the rare duplicate sent after a crash.
    public func messageID(conversationID: String, outboxID: String) -> String {
        "sb.\(conversationID).\(outboxID).\(signature(conversationID, outboxID))@\(domain)"
    }

    /// The conversation a cited Message-ID names, when it is one of ours and its signature holds.
    public func conversationID(fromMessageID messageID: String) -> String? {
        guard let at = messageID.lastIndex(of: "@") else { return nil }
        let parts = messageID[..<at].split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "sb", !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        let expected = Array(signature(String(parts[1]), String(parts[2])).utf8)
        guard Digest.constantTimeEqual(expected, Array(parts[3].utf8)) else { return nil }
        return String(parts[1])
    }

    private func signature(_ conversationID: String, _ outboxID: String) -> String {
        let mac = Digest.hmacSHA256(key: key, data: Array("switchboard-thread:\(conversationID).\(outboxID)".utf8))
        return String(Digest.hex(mac).prefix(24))
    }
}
