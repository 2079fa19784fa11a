import Digests
import Foundation

/// Twilio's request signature: base64 of HMAC-SHA1, keyed with the auth token, over the full URL the
/// provider called followed by every POST parameter's name and value, sorted by name.
public struct TwilioSignature: Sendable {
    private let authToken: String

    public init(authToken: String) {
        self.authToken = authToken
    }

    /// The signature of a request to `url` with these form parameters.
    public func signature(url: String, parameters: [(String, String)]) -> String {
        // Sorted by name, then value, so a repeated name signs the same however the form ordered it.
        let sorted = parameters.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        var data = url
        for (name, value) in sorted { data += name + value }
        return Data(Digest.hmacSHA1(key: Array(authToken.utf8), data: Array(data.utf8))).base64EncodedString()
    }

    /// Nil when the header holds the request's signature, else why not (never the expected value).
    public func rejection(header: String?, url: String, parameters: [(String, String)]) -> String? {
        guard let header, !header.isEmpty else { return "X-Twilio-Signature header is missing" }
        let expected = signature(url: url, parameters: parameters)
        return Digest.constantTimeEqual(Array(header.utf8), Array(expected.utf8))
            ? nil : "X-Twilio-Signature does not match the URL and parameters (check public_url and auth_token)"
    }
}
