import Signing
import StrictYAML

extension SettingsReader {
    /// Reads a webhook source: where replies go, their signing secret, its inbound signature, its body
    /// size limit and its attachments' limits and fetch hosts.
    mutating func webhookSource(_ section: SourceSection) -> WebhookSource? {
        let (id, map) = (section.id, section.map)
        let replyURL = map["reply_url"].flatMap { value(at: $0, name: "reply_url of \(id)", secret: false) }
        if let replyURL, !(replyURL.hasPrefix("http://") || replyURL.hasPrefix("https://")) {
            log.report("reply_url of source '\(id)' must be an http:// or https:// URL", at: map["reply_url"]!)
        }
        let replySecret = map["reply_secret"].flatMap { secret($0, name: "reply_secret of \(id)") }
        if let replySecret, (try? StandardWebhooks(secret: replySecret)) == nil {
            log.report("reply_secret of source '\(id)' must be whsec_ followed by base64", at: map["reply_secret"]!)
        }
        if replyURL != nil, replySecret == nil {
            log.report("source '\(id)' has a reply_url but no reply_secret: replies must be signed", at: section.node)
        }
        var reply: WebhookTarget?
        if let replyURL, let replySecret { reply = WebhookTarget(replyURL: replyURL, secret: replySecret) }
        var maxBodyBytes: Int?
        if let value = map.int("max_body_bytes", in: "webhook source '\(id)'", log) {
            if (1024...WebhookSource.maxBodyBytesCeiling).contains(value) { maxBodyBytes = value } else {
                log.report("max_body_bytes of source '\(id)' must be between 1024 and \(WebhookSource.maxBodyBytesCeiling)", at: map["max_body_bytes"]!)
            }
        }
        return WebhookSource(
            id: id, reply: reply, signature: requestSignature(map["inbound_signature"], sourceID: id),
            attachmentPolicy: attachmentPolicy(map["attachments"], sourceID: id, fetchHosts: true), maxBodyBytes: maxBodyBytes)
    }
}
