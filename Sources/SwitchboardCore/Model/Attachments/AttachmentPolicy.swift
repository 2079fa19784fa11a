import Foundation

/// What one source does with the files its messages bring: the limits they are kept within and, for a
/// source whose messages may name a file by URL (a webhook's `{url}`), the hosts it may be fetched from.
public struct AttachmentPolicy: Sendable, Equatable {
    /// Size and count limits; a file over one is refused, its message kept.
    public var limits: AttachmentLimits
    /// Hosts a posted `{url}` may name: lower-case host names or IP addresses, each with an optional
    /// `:port`. An entry without a port allows the scheme's default port only, so that naming a host
    /// does not open its other services. Empty: no URL is fetched.
    public var fetchHosts: Set<String>
    /// Whether the source's remote files are fetched through redirects (Twilio's media URLs redirect to its
    /// CDN). Off for URLs a poster names: a redirect would leave ``fetchHosts``.
    public var followRedirects: Bool

    /// ``AttachmentLimits/standard``, no URL fetched, no redirect followed.
    public static let standard = AttachmentPolicy()

    public init(limits: AttachmentLimits = .standard, fetchHosts: Set<String> = [], followRedirects: Bool = false) {
        self.limits = limits
        self.fetchHosts = fetchHosts
        self.followRedirects = followRedirects
    }

    /// Whether ``fetchHosts`` names the host (and port) of an `http` or `https` URL.
    public func allowsFetch(from url: String) -> Bool {
        guard let endpoint = Self.endpoint(of: url) else { return false }
        let hostAndPort = "\(endpoint.host):\(endpoint.port)"
        return fetchHosts.contains(hostAndPort) || (endpoint.port == endpoint.defaultPort && fetchHosts.contains(endpoint.host))
    }

    /// The lower-case host (IPv6 in brackets), the port (the scheme's default when none is written) and the
    /// default port of an `http` or `https` URL without credentials; nil for anything else.
    public static func endpoint(of url: String) -> (host: String, port: Int, defaultPort: Int)? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let defaultPort = ["http": 80, "https": 443][scheme],
              components.user == nil, components.password == nil,
              var host = components.host?.lowercased(), !host.isEmpty else { return nil }
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        return (host, components.port ?? defaultPort, defaultPort)
    }
}
