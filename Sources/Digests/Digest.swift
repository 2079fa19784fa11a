import COpenSSL
import Foundation

/// Hashes, HMACs and constant-time comparison over OpenSSL's libcrypto.
public enum Digest {
    /// HMAC-SHA256 of `data` under `key`.
    public static func hmacSHA256(key: some ContiguousBytesLike, data: some ContiguousBytesLike) -> [UInt8] {
        hmac(sb_hmac_sha256, length: 32, key: key, data: data)
    }

    /// HMAC-SHA1 of `data` under `key` (Twilio-style signatures).
    public static func hmacSHA1(key: some ContiguousBytesLike, data: some ContiguousBytesLike) -> [UInt8] {
        hmac(sb_hmac_sha1, length: 20, key: key, data: data)
    }

    private typealias HMACFunction = (UnsafeRawPointer?, Int32, UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UInt8>?) -> Int32

    private static func hmac(_ function: HMACFunction, length: Int, key: some ContiguousBytesLike, data: some ContiguousBytesLike) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        key.withBytes { key in
            data.withBytes { data in
                let ok = function(key.baseAddress, Int32(key.count), data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count, &out)
                precondition(ok == 1, "HMAC failed inside libcrypto")
            }
        }
        return out
    }

    /// SHA-256 of `data`.
    public static func sha256(_ data: some ContiguousBytesLike) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        data.withBytes { data in
            let ok = sb_sha256(data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count, &out)
            precondition(ok == 1, "SHA-256 failed inside libcrypto")
        }
        return out
    }

    /// Compares two byte strings in time that depends only on their length, so a forged signature
    /// cannot be found byte by byte.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in sb_constant_time_equal(a.baseAddress, b.baseAddress, a.count) == 1 }
        }
    }

    /// Lower-case hexadecimal.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hexadecimal (either case); nil if it is not hex.
    public static func bytes(fromHex text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// Random bytes from libcrypto's CSPRNG.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = sb_random_bytes(&out, Int32(count))
        precondition(ok == 1, "RAND_bytes failed")
        return out
    }
}

/// Byte containers the digests accept without copying.
public protocol ContiguousBytesLike {
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: ContiguousBytesLike where Element == UInt8 {
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}

extension Data: ContiguousBytesLike {
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}

extension String: ContiguousBytesLike {
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Array(utf8).withUnsafeBytes(body)
    }
}
