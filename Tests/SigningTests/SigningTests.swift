import Digests
import Foundation
import Signing
import Testing

@Suite("Signatures")
struct SigningTests {
    @Test("HMAC-SHA256 matches RFC 4231 test case 2")
    func rfc4231() {
        let mac = Digest.hmacSHA256(key: "Jefe", data: "what do ya want for nothing?")
        #expect(Digest.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("Standard Webhooks verification accepts its own signature and refuses tampering, staleness and missing headers")
    func standardWebhooks() throws {
        let signer = try StandardWebhooks(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Data(#"{"test": 2432232314}"#.utf8)
        let now = Date()
        let timestamp = Int(now.timeIntervalSince1970)
        let signature = signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: timestamp, body: body)
        try signer.verify(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: String(timestamp), signatureHeader: "v1,bogus " + signature, body: body, now: now)

        let tampered = #expect(throws: StandardWebhooks.VerificationError.self) {
            try signer.verify(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: String(timestamp), signatureHeader: signature, body: Data("{}".utf8), now: now)
        }
        #expect(tampered?.code == .noMatchingSignature)
        let stale = #expect(throws: StandardWebhooks.VerificationError.self) {
            try signer.verify(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: String(timestamp), signatureHeader: signature, body: body, now: now.addingTimeInterval(301))
        }
        #expect(stale?.code == .timestampOutsideTolerance)
        let missing = #expect(throws: StandardWebhooks.VerificationError.self) {
            try signer.verify(id: nil, timestamp: String(timestamp), signatureHeader: signature, body: body, now: now)
        }
        #expect(missing?.code == .missingHeaders)
    }

    @Test("the spec's published example signature is reproduced")
    func publishedVector() throws {
        // From the Standard Webhooks specification's reference test vectors.
        let signer = try StandardWebhooks(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1614265330, body: Data(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("a secret that is not base64 is refused without echoing it")
    func badSecret() {
        let error = #expect(throws: SigningError.self) { try StandardWebhooks(secret: "whsec_***not base64***") }
        #expect(error?.description.contains("***") == false)
    }

    @Test("hex HMAC header scheme")
    func hmacHeader() {
        let signer = HMACSignature(secret: "s3cret")
        let body = Data("payload".utf8)
        #expect(signer.isValid(header: signer.sign(body), body: body))
        #expect(!signer.isValid(header: signer.sign(body), body: Data("payload!".utf8)))
        #expect(!signer.isValid(header: "sha256=zz", body: body))
        #expect(!signer.isValid(header: nil, body: body))
    }
}
