import Foundation

/// A mailbox name made safe for the wire: modified UTF-7 (RFC 3501 5.1.3) for non-ASCII names, an IMAP
/// quoted string for commands and a percent-encoded segment for curl's IMAP URLs.
struct IMAPMailboxName: Sendable, Equatable {
    /// The name as the user wrote it.
    let name: String
    /// The name in modified UTF-7, as the server knows it.
    let encoded: String

    init(_ name: String) throws(CurlError) {
        guard !name.isEmpty else { throw CurlError(code: CurlError.invalidInput, description: "mailbox name is empty") }
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw CurlError(code: CurlError.invalidInput, description: "mailbox name \(MailServerEndpoint.safe(name)) contains a control character")
        }
        self.name = name
        self.encoded = Self.modifiedUTF7(name)
    }

    /// `"name"` with `\` and `"` escaped, for a command line.
    var quoted: String {
        "\"" + encoded.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The name as one percent-encoded path segment of an `imap://` URL (curl decodes it and quotes it itself).
    var urlPath: String {
        var result = ""
        for byte in encoded.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    static func modifiedUTF7(_ name: String) -> String {
        var result = ""
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            var bytes: [UInt8] = []
            for unit in pending { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
            let base64 = Data(bytes).base64EncodedString().replacingOccurrences(of: "/", with: ",").replacingOccurrences(of: "=", with: "")
            result += "&" + base64 + "-"
            pending = []
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                result += scalar == "&" ? "&-" : String(scalar)
            } else {
                pending += Array(String(scalar).utf16)
            }
        }
        flush()
        return result
    }
}
