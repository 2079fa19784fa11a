import Curl
import SwitchboardCore

/// One configured email source: the address customers write to, where its mail is fetched from and
/// which relay its replies leave through.
public struct EmailSource: ChannelSource {
    /// How new mail is fetched.
    public struct Mailbox: Sendable {
        /// What to do to a message on the server once it is committed; nothing is ever deleted.
        public enum AfterImport: Sendable, Equatable {
            case markSeen
            case move(to: String)
            case leave
        }

        public var endpoint: MailServerEndpoint
        public var mailbox: String
        /// The wait between polls.
        public var pollInterval: Duration
        /// Messages fetched per IMAP round trip.
        public var batchSize: Int
        public var afterImport: AfterImport
        /// Log in with OAuth2 (`imap.auth`) instead of the endpoint's password.
        public var oauth: OAuth2Settings?

        public init(endpoint: MailServerEndpoint, mailbox: String = "INBOX", pollInterval: Duration = .seconds(30), batchSize: Int = 50, afterImport: AfterImport = .markSeen) {
            self.endpoint = endpoint
            self.mailbox = mailbox
            self.pollInterval = pollInterval
            self.batchSize = batchSize
            self.afterImport = afterImport
        }
    }

    /// How replies are sent.
    public struct Relay: Sendable {
        public var endpoint: MailServerEndpoint
        /// The name given in EHLO.
        public var heloName: String
        /// Log in with OAuth2 (`smtp.auth`) instead of the endpoint's password.
        public var oauth: OAuth2Settings?

        public init(endpoint: MailServerEndpoint, heloName: String) {
            self.endpoint = endpoint
            self.heloName = heloName
        }
    }

    public var id: String
    /// The support address: From of every reply, and never answered automatically.
    public var address: String
    public var displayName: String?
    /// Other addresses of ours (aliases, no-reply senders) whose mail must never get an automatic reply.
    public var ownAddresses: [String]
    /// Signs the conversation token in outgoing Message-IDs, so replies thread back tamper-proof.
    public var threadSecret: String
    public var mailbox: Mailbox?
    public var relay: Relay?
    /// Largest message accepted by push intake, in bytes.
    public var maxMessageBytes: Int
    /// How pushes to `/v1/inbound/mime/{source}` prove they are its own.
    public var signature: RequestSignature = .none
    /// The source's `attachments` limits; nil for limits that follow ``maxMessageBytes``.
    public var attachmentLimits: AttachmentLimits?

    /// The limits a message's files are kept within: those set, or one file and all of them up to
    /// ``maxMessageBytes`` (a decoded file is smaller than the message that carried it), 50 files. Mail
    /// names no URL to fetch.
    public var attachmentPolicy: AttachmentPolicy {
        AttachmentPolicy(limits: attachmentLimits ?? Self.attachmentLimits(maxMessageBytes: maxMessageBytes))
    }

    /// The limits that follow a source's `max_message_bytes`.
    static func attachmentLimits(maxMessageBytes: Int) -> AttachmentLimits {
        AttachmentLimits(maxBytes: maxMessageBytes, maxTotalBytes: maxMessageBytes, maxCount: AttachmentLimits.standard.maxCount)
    }

    public init(
        id: String, address: String, displayName: String? = nil, ownAddresses: [String] = [], threadSecret: String,
        mailbox: Mailbox? = nil, relay: Relay? = nil, maxMessageBytes: Int = 25 * 1024 * 1024
    ) {
        self.id = id
        self.address = address
        self.displayName = displayName
        self.ownAddresses = ownAddresses
        self.threadSecret = threadSecret
        self.mailbox = mailbox
        self.relay = relay
        self.maxMessageBytes = maxMessageBytes
    }

    /// The domain our Message-IDs use: the support address's.
    public var domain: String {
        address.split(separator: "@").last.map(String.init) ?? "switchboard.invalid"
    }

    /// The header every message we send carries, so our own mail coming back is recognized as a loop.
    public static let loopHeader = "X-Switchboard-Loop"
}
