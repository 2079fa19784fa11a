import Foundation

/// One mailbox from an address header: an optional display name and the address itself.
public struct MailAddress: Sendable, Equatable, Hashable, Codable {
    /// The display name, RFC 2047 decoded and unquoted; nil when the header gave none.
    public var name: String?
    /// The address as written, trimmed, without angle brackets. Not lower-cased: local parts may be
    /// case-sensitive, so comparing is the caller's decision.
    public var address: String

    /// A mailbox with an optional display name.
    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    /// The part before the last `@` (the whole address when there is none).
    public var localPart: Substring {
        guard let at = address.lastIndex(of: "@") else { return Substring(address) }
        return address[..<at]
    }

    /// The part after the last `@`, empty when there is none.
    public var domain: Substring {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return address[address.index(after: at)...]
    }
}
