import SwitchboardCore

/// Customer tiers by address and by domain.
public struct CustomerDirectory: Sendable, Equatable {
    public var defaultTier: CustomerTier
    public var addresses: [String: CustomerTier]
    public var domains: [String: CustomerTier]

    public static let empty = CustomerDirectory(defaultTier: .ordinary, addresses: [:], domains: [:])

    /// The tier of a sender: exact address first, then its domain (``domain(of:)``) or a parent domain,
    /// then the default.
    public func tier(of sender: String) -> CustomerTier {
        if addresses.isEmpty && domains.isEmpty { return defaultTier }
        if !addresses.isEmpty {
            // Most addresses arrive in lower case already; lower-casing allocates, so only do it when needed.
            let address = Self.needsLowercasing(sender) ? sender.lowercased() : sender
            if let tier = addresses[address] { return tier }
        }
        var domain = Substring(Self.domain(of: sender))
        while !domain.isEmpty {
            if let tier = domains[String(domain)] { return tier }
            guard let dot = domain.utf8.firstIndex(of: UInt8(ascii: ".")) else { break }
            domain = domain[domain.utf8.index(after: dot)...]
        }
        return defaultTier
    }

    /// The domain part of an e-mail address, in lower case, or empty.
    public static func domain(of address: String) -> String {
        guard let at = address.utf8.lastIndex(of: UInt8(ascii: "@")) else { return "" }
        let domain = Substring(address.utf8[address.utf8.index(after: at)...])
        return needsLowercasing(domain) ? domain.lowercased() : String(domain)
    }

    private static func needsLowercasing(_ text: some StringProtocol) -> Bool {
        text.utf8.contains { $0 &- 0x41 < 26 || $0 >= 0x80 }
    }
}
