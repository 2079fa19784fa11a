import StrictYAML
import SwitchboardCore

/// The webhook channel: JSON posted to `/v1/inbound/webhook/{source}`, replies posted back signed.
public enum WebhookPlugin: ChannelPlugin {
    public static var kind: ChannelKind { .webhook }
    public static var inboundChannel: any InboundChannel.Type { WebhookInboundChannel.self }
    public static var sourceKeys: [String] { ["reply_url", "reply_secret", "inbound_signature", "attachments", "max_body_bytes"] }

    public static func readSource(_ source: SourceSection, reader: inout SettingsReader) -> WebhookSource? {
        reader.webhookSource(source)
    }

    public static func assemble(_ sources: [WebhookSource], context: ChannelContext) throws -> ChannelAssembly {
        let targets = sources.reduce(into: [String: WebhookTarget]()) { targets, source in targets[source.id] = source.reply }
        let inbound = sources.reduce(into: [String: any InboundChannel]()) { adapters, source in
            adapters[source.id] = WebhookInboundChannel(
                sourceID: source.id, signature: source.signature, attachmentPolicy: source.attachmentPolicy, maxBodyBytes: source.maxBodyBytes,
                now: context.now)
        }
        return ChannelAssembly(
            outbound: try WebhookChannel(targets: targets, timeout: context.deliveryTimeout, logger: context.logger), inbound: inbound)
    }
}
