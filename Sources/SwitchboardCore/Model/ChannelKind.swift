/// The kind of channel a message travels on. Open-ended so adapters can add kinds.
public struct ChannelKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public init(_ value: String) { self.rawValue = value }

    public var description: String { rawValue }

    public static let webhook: ChannelKind = "webhook"
    public static let email: ChannelKind = "email"
    public static let sms: ChannelKind = "sms"
    /// Supervisors' systems, told of SLA warnings, breaches and escalations through the outbox; never a
    /// source's channel.
    public static let notification: ChannelKind = "notification"

    /// The channels built in, for loading rules outside a running gateway; the gateway passes the channels
    /// it was configured with.
    public static let known: [ChannelKind] = [.webhook, .email, .sms]

    /// "webhook, email or sms": the names for a problem that lists what was expected.
    public static func alternatives(_ kinds: [ChannelKind]) -> String {
        listed(kinds, lastJoinedBy: "or")
    }

    /// "webhook, email and sms" (`lastJoinedBy: "and"`): the names in a sentence.
    public static func listed(_ kinds: [ChannelKind], lastJoinedBy word: String) -> String {
        let names = kinds.map(\.rawValue)
        guard names.count > 1 else { return names.joined() }
        return names.dropLast().joined(separator: ", ") + " \(word) " + names.last!
    }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
