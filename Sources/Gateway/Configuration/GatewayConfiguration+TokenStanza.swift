import Foundation
import HTTPServer

extension GatewayConfiguration {
    /// Where a new token's secret is kept: the configuration names the place, never the secret.
    public enum SecretPlace: Sendable {
        case environment(String)
        case file(String)
    }

    /// The environment variable suggested for a token id: `SWITCHBOARD_TOKEN_` and the id in capitals, with
    /// anything but letters and digits as `_`.
    public static func tokenVariable(id: String) -> String {
        "SWITCHBOARD_TOKEN_" + String(id.uppercased().unicodeScalars.map { ("A"..."Z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "_" })
    }

    /// Whether `id` may name a token in the stanza as it is (letters, digits, `.`, `_`, `-`).
    public static func isPlainTokenID(_ id: String) -> Bool {
        !id.isEmpty && id != "-" && id.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    /// A fresh secret for a new API token (see ``AccessToken/generateSecret()``).
    public static func newTokenSecret() -> String {
        AccessToken.generateSecret()
    }

    /// An ISO 8601 time with its zone (`not_after`), with or without fractional seconds.
    public static func timestamp(_ text: String) -> Date? {
        Date(iso8601: text)
    }

    /// One item for `tokens:` in `Config/switchboard.yaml`, on one line, that reads the secret from `place`.
    /// - Parameter role: `agent` or `ops`.
    public static func tokenStanza(
        id: String, name: String, role: String, place: SecretPlace, notAfter: String? = nil, sources: [String] = [], queues: [String] = []
    ) -> String {
        var fields = ["id: \(id)", "name: \(quoted(name))", "role: \(role)"]
        if let notAfter { fields.append("not_after: \(quoted(notAfter))") }
        if !sources.isEmpty { fields.append("sources: [\(sources.map(quoted).joined(separator: ", "))]") }
        if !queues.isEmpty { fields.append("queues: [\(queues.map(quoted).joined(separator: ", "))]") }
        switch place {
        case let .environment(variable): fields.append("token: { env: \(variable) }")
        case let .file(path): fields.append("token: { file: \(quoted(path)) }")
        }
        return "- { \(fields.joined(separator: ", ")) }"
    }

    /// A YAML double-quoted scalar (JSON string syntax is valid YAML).
    private static func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
    }
}
