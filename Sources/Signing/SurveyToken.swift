import Digests
import Foundation

/// The capability in a survey link (`/s/{token}/{score}`, `POST /v1/surveys/{token}`): a survey id and
/// an expiry, signed with the store's survey link key, so a link cannot be made up or pointed at
/// another survey, and answers nothing once the survey closes.
///
/// Form: `base64url(payload) "." base64url(HMAC-SHA256(key, domain ‖ payload))`, unpadded, where the
/// payload is a version byte (1), the expiry as 8 bytes big-endian seconds since 1970, and the survey
/// id in UTF-8. Only URL-safe characters, so it sits in a path segment as it is.
public enum SurveyToken {
    /// Longer strings are refused before any decoding.
    public static let maximumLength = 512
    static let version: UInt8 = 1
    /// Separates these signatures from any other use of the same key.
    static let tokenDomain = Array("switchboard survey token v1\0".utf8)
    static let proofDomain = Array("switchboard survey comment v1\0".utf8)

    /// A token for `surveyID`, valid until `expiresAt` (rounded down to the second).
    public static func make(surveyID: String, expiresAt: Date, key: [UInt8]) -> String {
        var payload: [UInt8] = [version]
        let seconds = Int64(expiresAt.timeIntervalSince1970.rounded(.down))
        withUnsafeBytes(of: seconds.bigEndian) { payload.append(contentsOf: $0) }
        payload.append(contentsOf: surveyID.utf8)
        let mac = HMACSignature(key: key).code(for: tokenDomain + payload)
        return Base64URL.encode(payload) + "." + Base64URL.encode(mac)
    }

    /// The claims of a genuine token that has not expired at `now`.
    public static func verify(_ token: String, key: [UInt8], now: Date) -> Result<SurveyTokenClaims, SurveyTokenError> {
        guard token.utf8.count <= maximumLength else { return .failure(SurveyTokenError(.malformed)) }
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Base64URL.decode(parts[0]), let mac = Base64URL.decode(parts[1]), mac.count == 32 else {
            return .failure(SurveyTokenError(.malformed))
        }
        // The signature first: nothing of an unsigned payload is read.
        guard HMACSignature(key: key).isValid(code: mac, for: tokenDomain + payload) else {
            return .failure(SurveyTokenError(.badSignature))
        }
        guard payload.count > 9, payload[0] == version,
              let surveyID = String(validating: payload[9...], as: UTF8.self) else {
            return .failure(SurveyTokenError(.malformed))
        }
        var seconds: Int64 = 0
        for byte in payload[1..<9] { seconds = seconds << 8 | Int64(byte) }
        let expiresAt = Date(timeIntervalSince1970: TimeInterval(seconds))
        guard now < expiresAt else { return .failure(SurveyTokenError(.expired, surveyID: surveyID)) }
        return .success(SurveyTokenClaims(surveyID: surveyID, expiresAt: expiresAt))
    }

    /// The proof the comment form carries in a hidden field, derived from the token and the key: a
    /// page of another site cannot post a comment without having read the survey page, which it
    /// cannot (no CORS, `form-action 'self'`).
    public static func commentProof(token: String, key: [UInt8]) -> String {
        Base64URL.encode(HMACSignature(key: key).code(for: proofDomain + Array(token.utf8)))
    }

    /// Whether `proof` is the comment proof of `token`; compared in constant time.
    public static func isValidCommentProof(_ proof: String, token: String, key: [UInt8]) -> Bool {
        guard proof.utf8.count <= 64, let given = Base64URL.decode(Substring(proof).utf8) else { return false }
        return HMACSignature(key: key).isValid(code: given, for: proofDomain + Array(token.utf8))
    }
}
