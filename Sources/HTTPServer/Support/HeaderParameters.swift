import Foundation

/// Parameters of a `Content-Disposition` (RFC 6266) or `Content-Type` value: `token=value` or
/// `token="quoted"`, and the RFC 8187 form `filename*=UTF-8''percent-encoded`, which wins over the plain one.
enum HeaderParameters {
    /// Lower-cased names to values; the first item (the disposition or type itself) is under "".
    static func parse(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        var items: [String] = [], current = "", quoted = false, escaped = false
        for character in value {
            if escaped { current.append(character); escaped = false; continue }
            if quoted, character == "\\" { escaped = true; continue }
            if character == "\"" { quoted.toggle(); continue }
            if character == ";", !quoted { items.append(current); current = ""; continue }
            current.append(character)
        }
        items.append(current)
        result[""] = items.first?.trimmingCharacters(in: .whitespaces).lowercased()
        var extended: [String: String] = [:]
        for item in items.dropFirst() {
            guard let equals = item.firstIndex(of: "=") else { continue }
            let name = item[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let raw = item[item.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if name.hasSuffix("*") {
                // charset'language'percent-encoded; only UTF-8 (the one RFC 8187 requires) is read.
                let pieces = raw.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                if pieces.count == 3, pieces[0].lowercased() == "utf-8", let decoded = String(pieces[2]).removingPercentEncoding {
                    extended[String(name.dropLast())] = decoded
                }
            } else {
                result[name] = raw
            }
        }
        result.merge(extended) { _, new in new }
        return result
    }
}
