import StrictYAML
import SwitchboardCore

/// The SMS channel: texts and delivery reports called back by a provider (Kannel, Twilio), replies handed
/// to the same provider.
public enum SMSPlugin: ChannelPlugin {
    public static var kind: ChannelKind { .sms }
    public static var inboundChannel: any InboundChannel.Type { SMSInboundChannel.self }
    public static var sourceKeys: [String] { ["number", "default_country_code", "max_segments", "send_rate", "timeout", "kannel", "twilio", "attachments"] }

    public static func misplacedKeyNote(_ key: String) -> String? {
        switch key {
        case "inbound_signature": "an SMS provider proves itself its own way (kannel inbound_secret, twilio auth_token)"
        case _ where key.hasPrefix("reply_"): "an sms source replies through its provider"
        default: nil
        }
    }

    public static func readSource(_ source: SourceSection, reader: inout SettingsReader) -> SMSSource? {
        reader.smsSource(source)
    }

    /// One provider per source, shared by the source's outbound deliveries and its inbound callbacks.
    public static func assemble(_ sources: [SMSSource], context: ChannelContext) throws -> ChannelAssembly {
        let routes: [(SMSSource, any SMSProvider)] = sources.map { source in
            switch source.provider {
            case let .kannel(settings):
                (source, KannelProvider(source: source, settings: settings, logger: context.logger, now: context.now))
            case let .twilio(settings):
                (source, TwilioProvider(source: source, settings: settings, address: context.address, logger: context.logger, now: context.now))
            }
        }
        let inbound = routes.reduce(into: [String: any InboundChannel]()) { adapters, route in
            adapters[route.0.id] = SMSInboundChannel(provider: route.1, attachmentPolicy: route.1.attachmentPolicy(route.0))
        }
        return ChannelAssembly(outbound: SMSChannel(sources: routes, address: context.address, logger: context.logger), inbound: inbound)
    }
}
