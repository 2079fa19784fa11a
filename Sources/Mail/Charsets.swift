#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Character set decoding for mail: MIME/IANA names and their common aliases, through glibc `iconv`.
///
/// Labels are widened the way mail in the wild needs: GB2312 and GBK decode as GB18030 (mail labelled
/// gb2312 routinely contains GBK characters), Big5 falls back to Big5-HKSCS, Shift_JIS decodes as
/// Windows-31J, EUC-KR as its superset CP949, and US-ASCII as UTF-8.
public enum Charsets {
    /// Decodes bytes in the named charset (MIME/IANA names and aliases, case-insensitive), nil if the
    /// charset is unknown or the bytes are not valid in it.
    public static func decode(_ bytes: some Collection<UInt8>, charset: String) -> String? {
        guard let decoded = decodeReportingErrors(Array(bytes), charset: charset), !decoded.hadErrors else { return nil }
        return decoded.text
    }

    /// Decodes bytes in the named charset, replacing each undecodable byte with U+FFFD. Nil only when
    /// the charset is unknown.
    public static func decodeLossy(_ bytes: some Collection<UInt8>, charset: String) -> (text: String, hadErrors: Bool)? {
        decodeReportingErrors(Array(bytes), charset: charset)
    }

    /// True when `charset` names a charset this decoder can read.
    public static func isKnown(_ charset: String) -> Bool {
        guard let decoder = decoder(for: charset) else { return false }
        switch decoder {
        case .utf8: return true
        case .iconv(let names): return names.contains(where: canOpen)
        }
    }

    enum Decoder: Equatable {
        case utf8
        /// iconv names tried in order; the last also decodes lossily when none fits exactly.
        case iconv([String])
    }

    static func decodeReportingErrors(_ bytes: [UInt8], charset: String) -> (text: String, hadErrors: Bool)? {
        guard let decoder = decoder(for: charset) else { return nil }
        switch decoder {
        case .utf8:
            return decodeUTF8(bytes)
        case .iconv(let names):
            var opened = false
            for name in names {
                if let text = convert(bytes, from: name, lossy: false) {
                    return (text.text, false)
                }
                opened = opened || canOpen(name)
            }
            guard opened else { return nil }
            for name in names.reversed() {
                if let result = convert(bytes, from: name, lossy: true) { return result }
            }
            return nil
        }
    }

    static func decodeUTF8(_ bytes: [UInt8]) -> (text: String, hadErrors: Bool) {
        var slice = bytes[...]
        // A byte-order mark carries no text.
        if slice.starts(with: [0xEF, 0xBB, 0xBF]) { slice = slice.dropFirst(3) }
        if let text = String(validating: slice, as: UTF8.self) { return (text, false) }
        return (String(decoding: slice, as: UTF8.self), true)
    }

    /// Strict GB18030, the usual guess for undeclared 8-bit text in Chinese mail.
    static func decodeGB18030(_ bytes: [UInt8]) -> String? {
        convert(bytes, from: "GB18030", lossy: false)?.text
    }

    static func decoder(for charset: String) -> Decoder? {
        var label = ASCII.trimmed(charset)
        if label.hasPrefix("\""), label.hasSuffix("\""), label.count >= 2 {
            label = String(label.dropFirst().dropLast())
        }
        // RFC 2231 and RFC 2184 allow a language suffix: utf-8*en.
        if let star = label.firstIndex(of: "*") { label = String(label[..<star]) }
        guard !label.isEmpty, label.utf8.count <= 40 else { return nil }
        let key = String(decoding: label.utf8.compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: ":"): nil
            default: ASCII.lower(byte)
            }
        }, as: UTF8.self)
        if let known = aliases[key] { return known }
        if key.hasPrefix("iso8859"), let number = Int(key.dropFirst(7)), (1...16).contains(number), number != 12 {
            return .iconv(["ISO-8859-\(number)"])
        }
        for prefix in ["windows", "cp", "xcp", "mswin"] where key.hasPrefix(prefix) {
            if let number = Int(key.dropFirst(prefix.count)), (1250...1258).contains(number) {
                return .iconv(["CP\(number)"])
            }
        }
        // Anything else iconv knows by name; only plain tokens reach it, so no `//` suffixes.
        let safe = label.utf8.allSatisfy { ASCII.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") }
        guard safe, canOpen(label.uppercased()) else { return nil }
        return .iconv([label.uppercased()])
    }

    private static let aliases: [String: Decoder] = {
        var table: [String: Decoder] = [:]
        func add(_ decoder: Decoder, _ keys: String...) { for key in keys { table[key] = decoder } }
        add(.utf8, "utf8", "unicode11utf8", "unicode20utf8", "xunicode20utf8", "usascii", "ascii", "ansix341968",
            "iso646us", "us", "cp367", "ibm367", "csascii", "isoir6", "ansix341986")
        add(.iconv(["GB18030"]), "gb2312", "gbk", "gb18030", "euccn", "xeuccn", "xgbk", "cp936", "ms936", "windows936",
            "csgb2312", "chinese", "gb231280", "isoir58", "csiso58gb231280", "csgbk", "gb", "cngb")
        add(.iconv(["BIG5", "BIG5-HKSCS"]), "big5", "cnbig5", "xxbig5", "csbig5", "xbig5", "big5et", "big5eten")
        add(.iconv(["BIG5-HKSCS"]), "big5hkscs", "big5hkscs2008", "hkscs")
        add(.iconv(["CP950", "BIG5-HKSCS"]), "cp950", "ms950", "windows950", "xwindows950")
        add(.iconv(["CP932", "SHIFT_JIS"]), "shiftjis", "sjis", "xsjis", "mskanji", "csshiftjis", "windows31j",
            "cp932", "mscp932", "xmscp932", "csWindows31J".lowercased())
        add(.iconv(["EUC-JP", "EUC-JP-MS"]), "eucjp", "xeucjp", "cseucpkdfmtjapanese", "eucjpms")
        add(.iconv(["ISO-2022-JP-2"]), "iso2022jp", "csiso2022jp", "iso2022jp2", "csiso2022jp2")
        add(.iconv(["CP949"]), "euckr", "cseuckr", "ksc56011987", "ksc5601", "ksc56011989", "cp949", "uhc",
            "windows949", "ms949", "xwindows949", "csksc56011987", "korean", "isoir149")
        add(.iconv(["ISO-2022-KR"]), "iso2022kr", "csiso2022kr")
        add(.iconv(["ISO-2022-CN"]), "iso2022cn")
        add(.iconv(["KOI8-R"]), "koi8r", "cskoi8r", "koi8")
        add(.iconv(["KOI8-U"]), "koi8u", "koi8ru")
        add(.iconv(["CP874"]), "tis620", "windows874", "cp874", "iso885911", "dos874")
        add(.iconv(["ISO-8859-1"]), "latin1", "l1", "cp819", "ibm819", "csisolatin1", "isoir100")
        add(.iconv(["ISO-8859-2"]), "latin2", "l2", "csisolatin2")
        add(.iconv(["ISO-8859-3"]), "latin3", "l3")
        add(.iconv(["ISO-8859-4"]), "latin4", "l4")
        add(.iconv(["ISO-8859-5"]), "cyrillic", "csisolatincyrillic")
        add(.iconv(["ISO-8859-6"]), "arabic")
        add(.iconv(["ISO-8859-7"]), "greek", "greek8")
        add(.iconv(["ISO-8859-8"]), "hebrew", "iso88598i")
        add(.iconv(["ISO-8859-9"]), "latin5", "l5")
        add(.iconv(["ISO-8859-10"]), "latin6", "l6")
        add(.iconv(["ISO-8859-13"]), "latin7", "l7")
        add(.iconv(["ISO-8859-14"]), "latin8", "l8")
        add(.iconv(["ISO-8859-15"]), "latin9", "l9", "latin0")
        add(.iconv(["ISO-8859-16"]), "latin10", "l10")
        add(.iconv(["UTF-16"]), "utf16", "ucs2", "unicode")
        add(.iconv(["UTF-16LE"]), "utf16le")
        add(.iconv(["UTF-16BE"]), "utf16be", "unicodefffe")
        add(.iconv(["UTF-32"]), "utf32", "ucs4")
        add(.iconv(["UTF-32LE"]), "utf32le")
        add(.iconv(["UTF-32BE"]), "utf32be")
        add(.iconv(["UTF-7"]), "utf7", "unicode11utf7")
        add(.iconv(["MACINTOSH"]), "macintosh", "mac", "macroman", "xmacroman", "csmacintosh")
        add(.iconv(["CP866"]), "cp866", "ibm866", "866")
        add(.iconv(["CP850"]), "cp850", "ibm850", "850")
        add(.iconv(["CP437"]), "cp437", "ibm437", "437")
        return table
    }()

    private static func canOpen(_ name: String) -> Bool {
        let descriptor = iconv_open("UTF-8", name)
        guard descriptor != invalidDescriptor else { return false }
        iconv_close(descriptor)
        return true
    }

    private static var invalidDescriptor: iconv_t? { iconv_t(bitPattern: -1) }

    /// Runs iconv over `bytes`. Strict mode gives nil at the first invalid sequence; lossy mode inserts
    /// U+FFFD and skips one byte, which always makes progress, so the loop is linear.
    private static func convert(_ bytes: [UInt8], from name: String, lossy: Bool) -> (text: String, hadErrors: Bool)? {
        let descriptor = iconv_open("UTF-8", name)
        guard descriptor != invalidDescriptor else { return nil }
        defer { iconv_close(descriptor) }
        if bytes.isEmpty { return ("", false) }

        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2 + 16)
        var hadErrors = false
        var failed = false
        var input = bytes
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

        input.withUnsafeMutableBufferPointer { inBuffer in
            buffer.withUnsafeMutableBufferPointer { outBuffer in
                guard let inBase = inBuffer.baseAddress, let outBase = outBuffer.baseAddress else {
                    failed = true
                    return
                }
                var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBase).assumingMemoryBound(to: CChar.self)
                var inLeft = inBuffer.count
                let outStart = UnsafeMutableRawPointer(outBase).assumingMemoryBound(to: CChar.self)
                var flushed = false
                while true {
                    var outPointer: UnsafeMutablePointer<CChar>? = outStart
                    var outLeft = outBuffer.count
                    let before = inLeft
                    let result: Int
                    if inLeft > 0 {
                        result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                    } else {
                        // Stateful encodings (ISO-2022) may still owe a reset sequence.
                        result = iconv(descriptor, nil, nil, &outPointer, &outLeft)
                        flushed = true
                    }
                    let error = result == -1 ? errno : 0
                    let produced = outBuffer.count - outLeft
                    output.append(contentsOf: UnsafeBufferPointer(start: outBase, count: produced))
                    if flushed {
                        if result == -1 && error == E2BIG {
                            flushed = false
                            continue
                        }
                        return
                    }
                    if result != -1 {
                        if inLeft == 0 { continue }
                        if inLeft == before && produced == 0 {
                            failed = true
                            return
                        }
                        continue
                    }
                    switch error {
                    case E2BIG:
                        continue
                    case EILSEQ, EINVAL:
                        guard lossy else {
                            failed = true
                            return
                        }
                        hadErrors = true
                        output.append(contentsOf: replacement)
                        if error == EINVAL {
                            // Truncated sequence at the end: nothing more can be read.
                            inLeft = 0
                        } else if inLeft > 0 {
                            inPointer = inPointer.map { $0 + 1 }
                            inLeft -= 1
                        }
                    default:
                        failed = true
                        return
                    }
                }
            }
        }
        if failed { return nil }
        return (String(decoding: output, as: UTF8.self), hadErrors)
    }
}
