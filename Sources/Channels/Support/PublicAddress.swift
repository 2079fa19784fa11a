import Synchronization

/// The base URL providers reach this gateway at. Configured, or learned when the server starts listening
/// (port 0 picks its port only then), so delivery report URLs and Twilio's signed URL agree with reality.
public final class PublicAddress: Sendable {
    private let value: Mutex<String?>

    public init(_ configured: String? = nil) {
        value = Mutex(configured.map(Self.trimmed))
    }

    /// The base URL without a trailing slash; `http://127.0.0.1` until known.
    public var base: String { value.withLock { $0 } ?? "http://127.0.0.1" }

    /// Sets the base from the listening address, unless one was configured.
    public func learn(host: String, port: Int) {
        value.withLock { current in
            if current == nil {
                let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
                current = "http://\(shown):\(port)"
            }
        }
    }

    private static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
