import StrictYAML
import SwitchboardCore

extension SettingsReader {
    /// Largest `max_bytes` and `max_total_bytes` a source may set: 256 MiB, as email's `max_message_bytes`.
    static let attachmentByteCeiling = 256 * 1024 * 1024
    /// Largest `max_count` a source may set.
    static let attachmentCountCeiling = 1000

    /// A source's `attachments: {max_bytes, max_total_bytes, max_count, fetch_hosts}`; what it leaves out
    /// comes from `defaults` (a `max_total_bytes` left out is at least `max_bytes`). `fetch_hosts` is read
    /// only where `fetchHosts` is true (a webhook source); elsewhere it is an unknown key. Problems are
    /// reported at their position and the defaults kept.
    func attachmentPolicy(
        _ node: YAMLValue?, sourceID id: String, defaults: AttachmentLimits = .standard, fetchHosts: Bool = false
    ) -> AttachmentPolicy {
        var policy = AttachmentPolicy(limits: defaults)
        guard let node else { return policy }
        let what = "attachments of source '\(id)'"
        var allowed = ["max_bytes", "max_total_bytes", "max_count"]
        if fetchHosts { allowed.append("fetch_hosts") }
        guard let map = node.mapping(log, what: what, allowed: allowed) else { return policy }

        func bytes(_ key: String) -> Int? {
            guard let value = map.int(key, in: what, log) else { return nil }
            guard (1...Self.attachmentByteCeiling).contains(value) else {
                log.report("\(key) of \(what) must be between 1 and \(Self.attachmentByteCeiling) bytes", at: map[key]!)
                return nil
            }
            return value
        }
        let maxBytes = bytes("max_bytes")
        let maxTotalBytes = bytes("max_total_bytes")
        if let maxBytes, let maxTotalBytes, maxBytes > maxTotalBytes {
            log.report("max_bytes of \(what) is larger than its max_total_bytes; no file that size could be kept", at: map["max_bytes"]!)
        }
        policy.limits.maxBytes = maxBytes ?? defaults.maxBytes
        policy.limits.maxTotalBytes = maxTotalBytes ?? max(defaults.maxTotalBytes, policy.limits.maxBytes)
        if let count = map.int("max_count", in: what, log) {
            if (0...Self.attachmentCountCeiling).contains(count) { policy.limits.maxCount = count } else {
                log.report("max_count of \(what) must be between 0 (keep no files) and \(Self.attachmentCountCeiling)", at: map["max_count"]!)
            }
        }
        if fetchHosts, let hostsNode = map["fetch_hosts"], let items = hostsNode.items(log, what: "fetch_hosts of \(what)") {
            for item in items {
                guard let text = item.string(log, what: "each item of fetch_hosts") else { continue }
                if let host = Self.fetchHost(text) {
                    policy.fetchHosts.insert(host)
                } else {
                    log.report(
                        "fetch_hosts of source '\(id)': '\(text.prefix(100))' must be a host name or IP address with an optional :port, such as files.example.com or 203.0.113.7:8443 (no scheme, path or wildcard)",
                        at: item)
                }
            }
        }
        return policy
    }

    /// A `fetch_hosts` entry, lower-cased: a host name or IPv4 address, or an IPv6 address in brackets,
    /// then an optional `:port` (1 to 65535); nil for anything else.
    static func fetchHost(_ text: String) -> String? {
        let lowered = text.lowercased()
        var host = Substring(lowered), port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let address = host[host.index(after: host.startIndex)..<close]
            guard !address.isEmpty, address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
            let rest = host[host.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                port = rest.dropFirst()
            }
            host = host[...close]
        } else {
            let parts = host.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            port = parts.count > 1 ? parts[1] : nil
            let labels = host.split(separator: ".", omittingEmptySubsequences: false)
            guard !host.isEmpty, host.count <= 253, labels.allSatisfy({ label in
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }) else { return nil }
        }
        guard let port else { return String(host) }
        guard !port.isEmpty, port.count <= 5, port.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(port),
              (1...65535).contains(number) else { return nil }
        return "\(host):\(number)"
    }
}
