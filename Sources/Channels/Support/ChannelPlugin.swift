import Foundation
import Logging
import Metrics
import ServiceLifecycle
import StrictYAML
import SwitchboardCore

/// One channel as the gateway plugs it in: the name its sources give in `channel:`, how one of them is read
/// from the configuration file, and what its sources become when the gateway runs — the outbound channel
/// replies leave through, an inbound adapter for each source, and any long-running work (mailbox polling).
///
/// Adding a channel is a folder under `Channels/` holding its plugin, and the plugin's name in the
/// gateway's list of channels; nothing else names a particular channel.
public protocol ChannelPlugin: Sendable {
    /// A configured source of this channel, as its reader leaves it.
    associatedtype Source: ChannelSource

    /// `channel:` in the configuration, and the channel its messages and replies travel on.
    static var kind: ChannelKind { get }
    /// The inbound adapter whose endpoints the HTTP API serves for this channel's sources.
    static var inboundChannel: any InboundChannel.Type { get }
    /// The keys a source of this channel may have besides `id`, `channel` and `rate_limit`.
    static var sourceKeys: [String] { get }

    /// What to tell ops who gave this channel's source a key of another channel (`reply_url` on an SMS
    /// source), beyond which channels the key is for; nil when there is nothing more to say.
    static func misplacedKeyNote(_ key: String) -> String?

    /// Reads one source, reporting every problem to `reader.log` at its position.
    /// - Returns: nil when the source cannot be used (its problems are reported).
    static func readSource(_ source: SourceSection, reader: inout SettingsReader) -> Source?

    /// The outbound channel and inbound adapters of this channel's configured sources (perhaps none).
    /// - Throws: when a source that passed reading cannot be set up (a TLS library refusing its settings).
    static func assemble(_ sources: [Source], context: ChannelContext) throws -> ChannelAssembly

    /// Long-running work this channel's sources need beside the server, such as polling their mailboxes.
    static func services(_ sources: [Source], context: ChannelServiceContext) -> [any Service]
}

extension ChannelPlugin {
    public static func misplacedKeyNote(_ key: String) -> String? { nil }

    public static func services(_ sources: [Source], context: ChannelServiceContext) -> [any Service] { [] }
}

/// A configured source of some channel: the settings its plugin read.
public protocol ChannelSource: Sendable {
    /// The source's id, unique across channels: `/v1/inbound/{channel}/{id}` and every message's `source`.
    var id: String { get }
}

/// One item of `sources:` as a channel's reader gets it.
public struct SourceSection {
    /// The source's `id`.
    public var id: String
    /// Its keys, already checked against the channel's ``ChannelPlugin/sourceKeys``.
    public var map: YAMLMapping
    /// The item itself, for problems that concern the source as a whole.
    public var node: YAMLValue
    /// `server.public_url`: how providers reach the gateway, when configured.
    public var publicURL: String?

    public init(id: String, map: YAMLMapping, node: YAMLValue, publicURL: String?) {
        self.id = id
        self.map = map
        self.node = node
        self.publicURL = publicURL
    }
}

/// What every channel's parts are built with.
public struct ChannelContext: Sendable {
    /// Where providers reach the gateway, learned once the server listens.
    public var address: PublicAddress
    /// `outbox.timeout`: how long one delivery may take, for channels without a timeout of their own.
    public var deliveryTimeout: Duration
    public var logger: Logger
    /// The gateway's clock: when a message is received. Signatures are still checked against real time,
    /// as their senders sign with it.
    public var now: @Sendable () -> Date
    /// Where outbound channels count what `/metrics` shows of them (an SMTP relay's refused logins).
    public var metricsFactory: any MetricsFactory

    public init(
        address: PublicAddress, deliveryTimeout: Duration, logger: Logger, now: @escaping @Sendable () -> Date = { Date() },
        metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.address = address
        self.deliveryTimeout = deliveryTimeout
        self.logger = logger
        self.now = now
        self.metricsFactory = metricsFactory
    }
}

/// What a channel's long-running work is built with: where its messages go and how it reports.
public struct ChannelServiceContext: Sendable {
    public var intake: any MessageIntake
    public var store: any IntakeStore
    public var logger: Logger
    public var metricsFactory: any MetricsFactory
    /// The lease a poller takes so that one gateway at a time polls each mailbox; nil polls unconditionally.
    public var lease: PollingLease?

    public init(
        intake: any MessageIntake, store: any IntakeStore, logger: Logger, metricsFactory: any MetricsFactory, lease: PollingLease? = nil
    ) {
        self.intake = intake
        self.store = store
        self.logger = logger
        self.metricsFactory = metricsFactory
        self.lease = lease
    }
}

/// A channel's parts once built: one outbound channel for all its sources, and each source's inbound adapter.
public struct ChannelAssembly: Sendable {
    public var outbound: any OutboundChannel
    /// The inbound adapter of each source, by source id.
    public var inbound: [String: any InboundChannel]

    public init(outbound: any OutboundChannel, inbound: [String: any InboundChannel]) {
        self.outbound = outbound
        self.inbound = inbound
    }
}
