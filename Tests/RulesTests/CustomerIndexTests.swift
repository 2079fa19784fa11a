@testable import Rules
import SwitchboardCore
import Testing

@Suite("Customer index")
struct CustomerIndexTests {
    static let directory = CustomerDirectory(
        defaultTier: .ordinary,
        addresses: ["vip.customer@example.com": .vip, "li.wei@example.com": .vip, "major@key-account.example": .strategic, "żółw@example.pl": .new],
        domains: ["key-account.example": .strategic, "vip-club.example": .vip, "example.pl": .new, "partner.example": .strategic])

    static let senders = [
        "vip.customer@example.com", "VIP.Customer@Example.COM", "li.wei@example.com", "li.wei@example.co",
        "major@key-account.example", "someone@key-account.example", "someone@Sub.Key-Account.example",
        "someone@vip-club.example", "x@notvip-club.example", "x@club.example", "ŻÓŁW@example.pl", "żółw@example.pl",
        "other@example.pl", "no-at-sign", "", "@", "trailing@", "a@b@partner.example", "a@.partner.example",
        "someone@partner.example.", "someone@example.com",
    ]

    /// Classification asks the index; the directory is what the rules say. They must agree for every
    /// sender, capitals, subdomains and non-ASCII included.
    @Test("the index gives every sender the tier the directory gives it")
    func agreesWithDirectory() {
        for directory in [Self.directory, .empty, CustomerDirectory(defaultTier: .new, addresses: [:], domains: ["example.com": .vip])] {
            let index = CustomerIndex(directory)
            for sender in Self.senders {
                #expect(index.tier(of: sender) == directory.tier(of: sender), "\(sender)")
            }
        }
    }

    @Test("a table with many keys still finds each one and nothing else")
    func manyKeys() {
        let addresses = Dictionary(uniqueKeysWithValues: (0..<2_000).map { ("customer\($0)@example.com", $0 % 2 == 0 ? CustomerTier.vip : .strategic) })
        let index = CustomerIndex(CustomerDirectory(defaultTier: .ordinary, addresses: addresses, domains: [:]))
        for number in stride(from: 0, to: 2_500, by: 7) {
            let sender = "Customer\(number)@Example.com"
            let expected: CustomerTier = number >= 2_000 ? .ordinary : number % 2 == 0 ? .vip : .strategic
            #expect(index.tier(of: sender) == expected, "\(sender)")
        }
    }
}
