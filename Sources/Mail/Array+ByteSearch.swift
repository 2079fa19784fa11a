#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Array where Element == UInt8 {
    /// The first index of `byte` within `range`, found with `memchr` because line scanning dominates
    /// parsing time and must stay fast even in debug builds.
    func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.lowerBound >= 0, range.upperBound <= count else { return nil }
        return withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            guard let found = memchr(base + range.lowerBound, Int32(byte), range.count) else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        }
    }

    /// True when the bytes at `offset` equal `pattern`, ASCII letters compared case-insensitively.
    func matchesCaseInsensitively(_ pattern: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset + pattern.count <= count else { return false }
        for (index, expected) in pattern.enumerated() where ASCII.lower(self[offset + index]) != ASCII.lower(expected) {
            return false
        }
        return true
    }
}
