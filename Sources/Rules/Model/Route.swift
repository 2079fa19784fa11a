import SwitchboardCore

/// An ordered routing rule: when its condition holds it fires and sets the actions it names.
public struct Route: Sendable, Equatable {
    /// The automatic reply action: a script, or an explicit `none` that cancels an earlier one.
    public enum AutoReply: Sendable, Equatable {
        case script(String)
        case suppress
    }

    public var id: String
    public var description: String?
    /// Nil only for the default route.
    public var condition: Condition?
    public var queue: String?
    public var priority: Int?
    public var slaPolicy: String?
    public var autoReply: AutoReply?
    /// Stop evaluating later routes once this one fires.
    public var stop: Bool
    public var isDefault: Bool
}

/// A queue agents work from.
public struct Queue: Sendable, Equatable {
    public var id: String
    /// Display names by language.
    public var names: [String: String]
    /// The team customers are told will contact them, by language.
    public var teams: [String: String]

    public func name(in language: String) -> String { names[language] ?? names["en"] ?? names.values.sorted().first ?? id }
    public func team(in language: String) -> String { teams[language] ?? teams["en"] ?? teams.values.sorted().first ?? name(in: language) }
}

/// A response-time target.
public struct SLAPolicy: Sendable, Equatable {
    public var id: String
    public var description: String?
    /// Seconds until the first human response is due.
    public var firstResponse: Double
    /// Seconds until resolution is due, if the policy sets one.
    public var resolution: Double?
    /// The business calendar the clock runs on; nil for round-the-clock time.
    public var calendar: String?
}

/// Customer tiers by address and by domain.
public struct CustomerDirectory: Sendable, Equatable {
    public var defaultTier: CustomerTier
    public var addresses: [String: CustomerTier]
    public var domains: [String: CustomerTier]

    public static let empty = CustomerDirectory(defaultTier: .ordinary, addresses: [:], domains: [:])

    /// The tier of a sender: exact address first, then its domain or a parent domain, then the default.
    public func tier(of sender: String) -> CustomerTier {
        if addresses.isEmpty && domains.isEmpty { return defaultTier }
        // Most addresses arrive in lower case already; lower-casing allocates, so only do it when needed.
        let address = sender.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A || $0 >= 0x80 }) ? sender.lowercased() : sender
        if let tier = addresses[address] { return tier }
        var domain = Self.domain(of: address)
        while !domain.isEmpty {
            if let tier = domains[domain] { return tier }
            guard let dot = domain.firstIndex(of: ".") else { break }
            domain = String(domain[domain.index(after: dot)...])
        }
        return defaultTier
    }

    /// The domain part of an e-mail address, or empty.
    public static func domain(of address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return String(address[address.index(after: at)...]).lowercased()
    }
}

