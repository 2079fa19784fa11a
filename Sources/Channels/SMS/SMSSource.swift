import Foundation
import SwitchboardCore

/// An SMS source as configured: the number customers write to, the gateway that carries it, and the limits
/// replies are held to.
public struct SMSSource: ChannelSource {
    /// Kannel's smsbox: MO through an `sms-service` `get-url`/`post-url`, MT through `sendsms`.
    public struct Kannel: Sendable {
        /// `http://host:13013/cgi-bin/sendsms`.
        public var sendsmsURL: String
        public var username: String
        public var password: String
        /// Routes MTs to one SMSC (`smsc` of `sendsms`), or lets Kannel choose.
        public var smsc: String?
        /// The `secret` Kannel's `get-url` carries, proving an MO is from our Kannel; delivery report URLs
        /// carry an HMAC under it instead, one per outbox entry.
        public var inboundSecret: String
        /// Which delivery reports to ask for (Kannel's `dlr-mask`; 31 asks for all).
        public var dlrMask: Int

        public init(sendsmsURL: String, username: String, password: String, smsc: String? = nil, inboundSecret: String, dlrMask: Int = 31) {
            self.sendsmsURL = sendsmsURL
            self.username = username
            self.password = password
            self.smsc = smsc
            self.inboundSecret = inboundSecret
            self.dlrMask = dlrMask
        }
    }

    /// Twilio, or any provider that speaks its `Messages` REST resource and signs callbacks its way.
    public struct Twilio: Sendable {
        /// `https://api.twilio.com`, or a compatible provider's base.
        public var baseURL: String
        public var accountSID: String
        /// Signs callbacks and authenticates submissions; never logged.
        public var authToken: String
        /// Sends through a messaging service (its sender pool) instead of the source's number.
        public var messagingServiceSID: String?

        public init(baseURL: String, accountSID: String, authToken: String, messagingServiceSID: String? = nil) {
            self.baseURL = baseURL
            self.accountSID = accountSID
            self.authToken = authToken
            self.messagingServiceSID = messagingServiceSID
        }
    }

    public enum Provider: Sendable {
        case kannel(Kannel)
        case twilio(Twilio)

        public var name: String {
            switch self {
            case .kannel: "kannel"
            case .twilio: "twilio"
            }
        }
    }

    public var id: String
    /// The number (or short code, or sender name) replies leave from.
    public var number: String
    /// The country code (digits) numbers without one belong to.
    public var defaultCountryCode: String
    public var provider: Provider
    /// Longest reply accepted, in segments; longer ones are refused before they are queued.
    public var maxSegments: Int
    /// Messages per second handed to the provider; bursts wait their turn.
    public var sendRate: Double
    /// How long one hand-over to the provider may take.
    public var timeout: Duration
    /// The limits an MMS's files are kept within (a provider without media never brings any).
    public var attachmentLimits: AttachmentLimits = .standard

    public init(
        id: String, number: String, defaultCountryCode: String, provider: Provider, maxSegments: Int = 6, sendRate: Double = 10,
        timeout: Duration = .seconds(10)
    ) {
        self.id = id
        self.number = number
        self.defaultCountryCode = defaultCountryCode
        self.provider = provider
        self.maxSegments = maxSegments
        self.sendRate = sendRate
        self.timeout = timeout
    }
}
