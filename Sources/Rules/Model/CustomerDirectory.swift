import SwitchboardCore

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
