import Digests
import Foundation
import Signing
import Testing

@Suite("Survey tokens")
struct SurveyTokenTests {
    let key = Array("a survey link key of thirty-two!".utf8)
    let otherKey = Array("another key, from another store.".utf8)
    let expiry = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a token verifies until its expiry, with its survey id, and is URL-safe")
    func roundTrip() throws {
        let token = SurveyToken.make(surveyID: "srv_0192f0a1b2c3d4e5f6a7b8c9", expiresAt: expiry, key: key)
        #expect(token.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || [0x2D, 0x5F, 0x2E].contains(byte)
        })
        let claims = try SurveyToken.verify(token, key: key, now: expiry.addingTimeInterval(-1)).get()
        #expect(claims == SurveyTokenClaims(surveyID: "srv_0192f0a1b2c3d4e5f6a7b8c9", expiresAt: expiry))
        #expect(SurveyToken.verify(token, key: key, now: expiry) == .failure(SurveyTokenError(.expired, surveyID: "srv_0192f0a1b2c3d4e5f6a7b8c9")))
    }

    @Test("the same survey and expiry give the same token; another survey, expiry or key another")
    func deterministic() {
        let token = SurveyToken.make(surveyID: "srv_1", expiresAt: expiry, key: key)
        #expect(token == SurveyToken.make(surveyID: "srv_1", expiresAt: expiry, key: key))
        #expect(token != SurveyToken.make(surveyID: "srv_2", expiresAt: expiry, key: key))
        #expect(token != SurveyToken.make(surveyID: "srv_1", expiresAt: expiry.addingTimeInterval(1), key: key))
        #expect(token != SurveyToken.make(surveyID: "srv_1", expiresAt: expiry, key: otherKey))
    }

    @Test("a token signed with another key, or altered anywhere, is refused as a bad signature")
    func badSignature() {
        let token = SurveyToken.make(surveyID: "srv_1", expiresAt: expiry, key: key)
        let now = expiry.addingTimeInterval(-60)
        #expect(SurveyToken.verify(token, key: otherKey, now: now) == .failure(SurveyTokenError(.badSignature)))
        // Each character replaced by another of the alphabet: never accepted.
        let characters = Array(token)
        for index in characters.indices where characters[index] != "." {
            var altered = characters
            altered[index] = characters[index] == "A" ? "B" : "A"
            let result = SurveyToken.verify(String(altered), key: key, now: now)
            #expect(result == .failure(SurveyTokenError(.badSignature)) || result == .failure(SurveyTokenError(.malformed)), "position \(index)")
        }
        // Another survey's payload under this token's signature.
        let other = SurveyToken.make(surveyID: "srv_2", expiresAt: expiry, key: key)
        let spliced = other.split(separator: ".")[0] + "." + token.split(separator: ".")[1]
        #expect(SurveyToken.verify(String(spliced), key: key, now: now) == .failure(SurveyTokenError(.badSignature)))
    }

    @Test("an expired token is refused even a second after, and says which survey", arguments: [0.0, 1.0, 31_536_000.0] as [Double])
    func expired(after seconds: Double) {
        let token = SurveyToken.make(surveyID: "srv_1", expiresAt: expiry, key: key)
        #expect(SurveyToken.verify(token, key: key, now: expiry.addingTimeInterval(seconds)) == .failure(SurveyTokenError(.expired, surveyID: "srv_1")))
    }

    static let malformed: [String] = [
        "", ".", "abc", "abc.def.ghi", "!!!.???", "a.b", "AAAA.AAAA",
        String(repeating: "A", count: 600) + "." + String(repeating: "A", count: 43),
        // Padding and the standard alphabet are not base64url.
        "AQ==.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AQ+/.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "AQ.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // a 31-byte signature
    ]

    @Test("anything that is not a token of this form is malformed", arguments: malformed)
    func malformedTokens(_ token: String) {
        #expect(SurveyToken.verify(token, key: key, now: expiry) == .failure(SurveyTokenError(.malformed)))
    }

    @Test("a correctly signed payload of the wrong version or without an id is malformed")
    func signedButMalformed() {
        // Built here as make() would, with version 2, and with no id.
        func signed(_ payload: [UInt8]) -> String {
            let mac = Digest.hmacSHA256(key: key, data: Array("switchboard survey token v1\0".utf8) + payload)
            return Self.base64URL(payload) + "." + Self.base64URL(mac)
        }
        var version2: [UInt8] = [2]
        withUnsafeBytes(of: Int64(1_800_000_000).bigEndian) { version2.append(contentsOf: $0) }
        var noID: [UInt8] = [1]
        withUnsafeBytes(of: Int64(1_800_000_000).bigEndian) { noID.append(contentsOf: $0) }
        version2 += Array("srv_1".utf8)
        #expect(SurveyToken.verify(signed(version2), key: key, now: Date(timeIntervalSince1970: 0)) == .failure(SurveyTokenError(.malformed)))
        #expect(SurveyToken.verify(signed(noID), key: key, now: Date(timeIntervalSince1970: 0)) == .failure(SurveyTokenError(.malformed)))
        // The same construction with version 1 and an id is what make() produces.
        var good: [UInt8] = [1]
        withUnsafeBytes(of: Int64(1_800_000_000).bigEndian) { good.append(contentsOf: $0) }
        good += Array("srv_1".utf8)
        #expect(signed(good) == SurveyToken.make(surveyID: "srv_1", expiresAt: expiry, key: key))
    }

    @Test("the comment proof belongs to its token and key")
    func commentProof() {
        let token = SurveyToken.make(surveyID: "srv_1", expiresAt: expiry, key: key)
        let proof = SurveyToken.commentProof(token: token, key: key)
        #expect(SurveyToken.isValidCommentProof(proof, token: token, key: key))
        let other = SurveyToken.make(surveyID: "srv_2", expiresAt: expiry, key: key)
        #expect(!SurveyToken.isValidCommentProof(proof, token: other, key: key))
        #expect(!SurveyToken.isValidCommentProof(SurveyToken.commentProof(token: token, key: otherKey), token: token, key: key))
        #expect(!SurveyToken.isValidCommentProof("", token: token, key: key))
        #expect(!SurveyToken.isValidCommentProof(String(proof.dropLast()), token: token, key: key))
        #expect(!SurveyToken.isValidCommentProof(proof + "A", token: token, key: key))
        // The proof is not the token's own signature.
        #expect(!token.hasSuffix(proof))
    }

    @Test("errors name their code and never the token")
    func safeToLog() {
        let token = SurveyToken.make(surveyID: "srv_secret_id", expiresAt: expiry, key: key)
        guard case let .failure(error) = SurveyToken.verify(token, key: key, now: expiry) else {
            Issue.record("an expired token verified")
            return
        }
        #expect(error.description == "survey token refused: expired")
        #expect(!"\(error)".contains(token))
        #expect(!String(reflecting: error).contains(token))
    }

    @Test("HMACSignature with a byte key gives the raw HMAC-SHA256 (RFC 4231 case 2)")
    func rawCode() {
        let signature = HMACSignature(key: Array("Jefe".utf8))
        let code = signature.code(for: Array("what do ya want for nothing?".utf8))
        #expect(Digest.hex(code) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(signature.isValid(code: code, for: Array("what do ya want for nothing?".utf8)))
        #expect(!signature.isValid(code: code, for: Array("what do ya want for something?".utf8)))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
