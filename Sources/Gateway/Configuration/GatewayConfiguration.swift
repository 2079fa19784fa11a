import Channels
import Conversations
import Foundation
import HTTPServer
import Outbox
import Pipeline
import PostgresStorage

/// How one deployment runs, from `Config/switchboard.yaml`. Secrets arrive resolved from the
/// environment or files; the file itself holds none.
public struct GatewayConfiguration: Sendable {
    public struct Server: Sendable {
        public var host: String
        public var port: Int
        public var maxBodyBytes: Int
        /// How providers reach this gateway (`https://sb.example.com`), for delivery report URLs and
        /// signatures over them; nil uses the listening address.
        public var publicURL: String?
        /// How long a connection may stay silent before it is closed (slow or stalled clients).
        public var idleTimeout: Duration = .seconds(30)
        /// How long a request may take to arrive in full, from its first byte to its end (slow senders).
        public var requestTimeout: Duration = .seconds(30)
        /// Connections open at once; one more is answered 503 and closed. The default stays well under the
        /// common open-file limit of 1024, which the database, the log and outgoing deliveries share.
        public var maxConnections: Int = 512
        /// Largest header section accepted, in bytes.
        public var maxHeaderBytes: Int = 16 * 1024
        /// How long a graceful shutdown may take before what is left is cancelled.
        public var shutdownTimeout: Duration = .seconds(20)
        /// Failed proofs one client address may make (wrong API tokens; failed inbound signatures, counted
        /// apart) before it is answered 429 unchecked: the refill per second and the burst. Nil for no limit.
        public var clientFailureLimit: InboundRateLimiter.Limit? = InboundRateLimiter.Limit(perSecond: 0.1, burst: 20)
    }

    /// A configured API token. Two may share an id (the old and new secret during a rotation).
    public struct Token: Sendable {
        public var id: String
        public var name: String
        public var role: AccessToken.Role
        public var secret: String
        /// After this time the token is refused.
        public var notAfter: Date?
        /// The sources whose conversations it may see and answer; nil for all.
        public var sources: Set<String>?
        /// The queues whose conversations it may see and answer; nil for all.
        public var queues: Set<String>?
        /// The most unresolved conversations its agent may own before a claim is refused; nil for no cap.
        public var maxOpen: Int?

        public init(
            id: String, name: String, role: AccessToken.Role, secret: String, notAfter: Date? = nil, sources: Set<String>? = nil,
            queues: Set<String>? = nil, maxOpen: Int? = nil
        ) {
            self.maxOpen = maxOpen
            self.id = id
            self.name = name
            self.role = role
            self.secret = secret
            self.notAfter = notAfter
            self.sources = sources
            self.queues = queues
        }

        /// The token as the API checks it (its secret kept only as a digest).
        public var accessToken: AccessToken {
            AccessToken(id: id, name: name, role: role, token: secret, notAfter: notAfter, sources: sources, queues: queues, maxOpen: maxOpen)
        }
    }

    /// A channel source: where messages come from and where replies go.
    public struct Source: Sendable {
        public var id: String
        /// The channel it is a source of, which read ``settings`` and builds its parts.
        public var channel: any ChannelPlugin.Type
        /// What its channel's plugin read: an `EmailSource`, an `SMSSource`, a `WebhookSource`.
        public var settings: any ChannelSource
        /// Requests per second (and burst) its inbound endpoint takes; nil for no limit.
        public var rateLimit: InboundRateLimiter.Limit? = InboundRateLimiter.Limit(perSecond: 1000, burst: 2000)

        public init(id: String, channel: any ChannelPlugin.Type, settings: any ChannelSource) {
            self.id = id
            self.channel = channel
            self.settings = settings
        }

        /// Its settings as the given channel's source type, or nil when it is a source of another channel.
        public func settings<Settings: ChannelSource>(as type: Settings.Type) -> Settings? {
            settings as? Settings
        }
    }

    public var server: Server
    /// `storage.data_dir`, resolved against the configuration file's directory; `./data` of the current
    /// directory when the file does not set it.
    public var dataDirectory: String
    /// `storage.postgres`: the shared database several gateways run on; nil keeps the embedded SQLite store
    /// in ``dataDirectory``.
    public var postgres: PostgresSettings?
    /// `rules_dir`, resolved against the configuration file's directory; `Rules` of the current directory when
    /// the file does not set it. `--rules` overrides it.
    public var rulesDirectory = "Rules"
    /// How concurrent inbound messages share transactions (`storage.group_commit_*`).
    public var groupCommit = IngestCommitter.Settings()
    /// How long messages and the access log are kept, and how often the purge runs.
    public var retention = RetentionService.Policy()
    public var timeZone: TimeZone
    public var tokens: [Token]
    public var sources: [Source]
    /// The channels its sources could name; the same list is read again on a reload.
    public var channels: [any ChannelPlugin.Type] = GatewayConfiguration.builtInChannels
    /// How replies are delivered and retried (`outbox:`).
    public var outbox = OutboxDispatcher.Settings()
    /// How long one webhook delivery may take (`outbox.timeout`).
    public var webhookTimeout = WebhookChannel.defaultTimeout
    /// How many automatic replies one address may get in a window (`auto_reply:`).
    public var autoReply = Intake.AutoReplyLimit()
    /// Who is told of SLA warnings, breaches, escalations, assignments and resolutions (`notifications:`).
    public var notifications: [NotificationTargetSettings] = []
    /// Names (never values) of secrets that fell back to their documented development defaults.
    public var developmentDefaultsInUse: [String]
}
