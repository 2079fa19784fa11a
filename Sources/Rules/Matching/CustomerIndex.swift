import SwitchboardCore

/// The customer directory arranged for classifying: every message asks it for the sender's tier, by
/// address and then by each suffix of the domain. Looking those up as `String` keys lower-cased the
/// address (an allocation for mixed case), built a string per domain suffix and hashed each one with
/// SipHash; this table reads the UTF-8 bytes where they are, lower-casing ASCII on the fly.
///
/// Answers exactly as ``CustomerDirectory/tier(of:)`` does. Senders with non-ASCII characters, whose
/// lower case needs Unicode's tables, are left to the directory.
struct CustomerIndex: Sendable {
    private let directory: CustomerDirectory
    private let addresses: ByteKeyTable
    private let domains: ByteKeyTable

    init(_ directory: CustomerDirectory) {
        self.directory = directory
        addresses = ByteKeyTable(directory.addresses)
        domains = ByteKeyTable(directory.domains)
    }

    /// The tier of `sender`: its address, else its domain (the part after the last `@`, see
    /// ``CustomerDirectory/domain(of:)``) or the nearest parent domain listed.
    func tier(of sender: String) -> CustomerTier {
        if addresses.isEmpty && domains.isEmpty { return directory.defaultTier }
        var sender = sender
        let found: CustomerTier?? = sender.withUTF8 { address in
            guard !address.contains(where: { $0 >= 0x80 }) else { return nil }
            if let tier = addresses.value(lowercasing: address) { return tier }
            guard let at = address.lastIndex(of: UInt8(ascii: "@")) else { return .some(nil) }
            let domain = UnsafeBufferPointer(rebasing: address[(at + 1)...])
            var start = 0
            while start < domain.count {
                let suffix = UnsafeBufferPointer(rebasing: domain[start...])
                if let tier = domains.value(lowercasing: suffix) { return tier }
                guard let dot = suffix.firstIndex(of: UInt8(ascii: ".")) else { break }
                start += dot + 1
            }
            return .some(nil)
        }
        guard let found else { return directory.tier(of: sender) }
        return found ?? directory.defaultTier
    }
}

/// An open-addressing table from lower-case ASCII keys to tiers, probed with the bytes of a key that
/// may still hold capitals.
private struct ByteKeyTable: Sendable {
    /// Every key's bytes, one after another: one block of memory, where an array per key scattered
    /// the probes' reads over the heap and cost a retain per comparison.
    private let keyBytes: [UInt8]
    /// Where key `i` starts in `keyBytes`; one more entry than there are keys, for the last one's end.
    private let keyStarts: [Int32]
    private let values: [CustomerTier]
    /// Indexes into the keys, -1 where empty; at most half full, so probes stay short.
    private let slots: [Int32]

    init(_ entries: [String: CustomerTier]) {
        // Keys the loader stored are lower case; one that is not could never be asked for, as before.
        let sorted = entries.sorted { $0.key < $1.key }
        let keys = sorted.map { Array($0.key.utf8) }
        keyBytes = keys.flatMap { $0 }
        keyStarts = keys.reduce(into: [0]) { starts, key in starts.append(starts.last! + Int32(key.count)) }
        values = sorted.map(\.value)
        var capacity = 8
        while capacity < keys.count * 2 { capacity *= 2 }
        var slots = [Int32](repeating: -1, count: capacity)
        for (index, key) in keys.enumerated() {
            var slot = key.withUnsafeBufferPointer { Int(truncatingIfNeeded: Self.hash(lowercasing: $0)) } & (capacity - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (capacity - 1) }
            slots[slot] = Int32(index)
        }
        self.slots = slots
    }

    var isEmpty: Bool { values.isEmpty }

    func value(lowercasing bytes: UnsafeBufferPointer<UInt8>) -> CustomerTier? {
        guard !values.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.hash(lowercasing: bytes)) & mask
        return keyBytes.withUnsafeBufferPointer { keyBytes in
            keyStarts.withUnsafeBufferPointer { starts in
                slots.withUnsafeBufferPointer { slots in
                    while true {
                        let entry = Int(slots[slot])
                        if entry < 0 { return nil }
                        let key = UnsafeBufferPointer(rebasing: keyBytes[Int(starts[entry])..<Int(starts[entry + 1])])
                        if Self.equal(key, lowercasing: bytes) { return values[entry] }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    /// A multiplicative hash over the bytes, eight at a time, with ASCII capitals lower-cased. Keys come
    /// from ops, not from senders, so a sender cannot crowd the table; probes are as long as the
    /// configured keys make them.
    private static func hash(lowercasing bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        var offset = 0
        while offset < bytes.count {
            hash = (hash ^ lowerWord(bytes, at: offset)) &* 0x9E37_79B9_7F4A_7C15
            hash ^= hash >> 32
            offset += 8
        }
        return hash ^ (hash >> 29)
    }

    private static func equal(_ key: UnsafeBufferPointer<UInt8>, lowercasing bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard key.count == bytes.count else { return false }
        var offset = 0
        while offset < key.count {
            // Keys are stored in lower case, so lower-casing them again changes nothing.
            if lowerWord(key, at: offset) != lowerWord(bytes, at: offset) { return false }
            offset += 8
        }
        return true
    }

    /// Up to eight bytes from `offset` as one little-endian word (zero past the end), with each of
    /// `A`–`Z` lower-cased: every byte at once, as bytes of 0x80 and above never reach here from a sender.
    @inline(__always)
    private static func lowerWord(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        var word: UInt64 = 0
        if offset + 8 <= bytes.count {
            word = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + offset).loadUnaligned(as: UInt64.self))
        } else {
            for index in offset..<bytes.count { word |= UInt64(bytes[index]) << (UInt64(index - offset) * 8) }
        }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let seven = word & (ones &* 0x7F)
        // Per byte: high bit set when the low seven bits are at least `A`, and when above `Z`.
        let capital = (seven &+ ones &* (0x80 - 0x41)) & ~(seven &+ ones &* (0x80 - 0x5B)) & ~word & (ones &* 0x80)
        return word | capital >> 2
    }

}
