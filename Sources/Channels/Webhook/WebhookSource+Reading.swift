import Signing
import StrictYAML

extension SettingsReader {
    /// Reads a webhook source: where replies go, their signing secret, and its inbound signature.
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
        return WebhookSource(id: id, reply: reply, signature: requestSignature(map["inbound_signature"], sourceID: id))
    }
}
