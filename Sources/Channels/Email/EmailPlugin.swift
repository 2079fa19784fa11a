import StrictYAML
import ServiceLifecycle
import SwitchboardCore

/// The email channel: mail fetched over IMAP or pushed as MIME, replies sent through an SMTP relay.
public enum EmailPlugin: ChannelPlugin {
    public static var kind: ChannelKind { .email }
    public static var inboundChannel: any InboundChannel.Type { EmailInboundChannel.self }
    public static var sourceKeys: [String] {
        ["address", "display_name", "own_addresses", "thread_secret", "max_message_bytes", "imap", "smtp", "inbound_signature", "attachments"]
    }

    public static func misplacedKeyNote(_ key: String) -> String? {
        key.hasPrefix("reply_") ? "an email source replies through its smtp relay" : nil
    }

    public static func readSource(_ source: SourceSection, reader: inout SettingsReader) -> EmailSource? {
        reader.emailSource(source)
    }

    public static func assemble(_ sources: [EmailSource], context: ChannelContext) throws -> ChannelAssembly {
        let inbound = sources.reduce(into: [String: any InboundChannel]()) { adapters, source in
            adapters[source.id] = EmailInboundChannel(normalizer: EmailNormalizer(source: source), signature: source.signature, now: context.now)
        }
        return ChannelAssembly(outbound: SMTPChannel(sources: sources, logger: context.logger, metricsFactory: context.metricsFactory), inbound: inbound)
    }

    /// One poller per configured mailbox, so no mailbox is polled twice at once.
    public static func services(_ sources: [EmailSource], context: ChannelServiceContext) -> [any Service] {
        sources.compactMap { source in
            source.mailbox.map {
                IMAPIntake(
                    source: source, mailbox: $0, intake: context.intake, store: context.store, logger: context.logger,
                    metricsFactory: context.metricsFactory, lease: context.lease)
            }
        }
    }
}
