@testable import Channels
import Foundation
import Gateway
import SwitchboardCore
import TestSupport
import Testing

@Suite("SMS encoding, numbers and signatures")
struct SMSTests {
    @Test("a 200-character English text is two GSM-7 segments of 153 and 47")
    func englishSplitsInTwo() {
        let text = String(repeating: "Your order ships today. ", count: 9).prefix(200)
        let segments = SMSSegments(String(text))
        #expect(segments.encoding == .gsm7)
        #expect(segments.units == 200)
        #expect(segments.segments.map(\.count) == [153, 47])
        #expect(segments.segments.joined() == String(text))
    }

    @Test("160 GSM-7 characters fit one segment, 161 need two")
    func singleSegmentBoundary() {
        #expect(SMSSegments(String(repeating: "a", count: 160)).count == 1)
        #expect(SMSSegments(String(repeating: "a", count: 161)).count == 2)
        #expect(SMSSegments(String(repeating: "中", count: 70)).count == 1)
        #expect(SMSSegments(String(repeating: "中", count: 71)).count == 2)
    }

    @Test("Chinese goes as UCS-2 in segments of 67")
    func chineseIsUCS2() {
        let text = String(repeating: "您的订单已发货请注意查收谢谢", count: 8).prefix(100)
        let segments = SMSSegments(String(text))
        #expect(segments.encoding == .ucs2)
        #expect(segments.units == 100)
        #expect(segments.segments.map(\.count) == [67, 33])
        #expect(segments.encoding.kannelCoding == 2)
    }

    @Test("escaped GSM characters count two septets and are never cut in half")
    func extensionCharacters() {
        #expect(SMSSegments("Price: 5€ [approx]").encoding == .gsm7)
        #expect(SMSSegments("€").units == 2)
        // 152 letters then a euro sign: the € (2 septets) does not fit in the first 153, so it opens the second.
        let text = String(repeating: "a", count: 152) + "€" + String(repeating: "b", count: 10)
        let segments = SMSSegments(text)
        #expect(segments.units == 164)
        #expect(segments.segments.map(\.count) == [152, 11])
        #expect(segments.segments[1].hasPrefix("€"))
    }

    @Test("one character outside GSM-7 (an emoji, a curly quote) makes the whole text UCS-2; emoji take two units")
    func ucs2Fallback() {
        #expect(SMSSegments("It’s here").encoding == .ucs2)
        let emoji = SMSSegments("ok 👍")
        #expect(emoji.encoding == .ucs2)
        #expect(emoji.units == 5)
        // 66 letters then an emoji: the surrogate pair would straddle the 67-unit boundary, so it moves on.
        let split = SMSSegments(String(repeating: "中", count: 66) + "👍" + String(repeating: "中", count: 10))
        #expect(split.segments.map { $0.utf16.count } == [66, 12])
    }

    @Test("numbers normalize to E.164 with the source's default country; short codes and names stay")
    func phoneNumbers() {
        #expect(PhoneNumber.e164("13800138000", defaultCountryCode: "86") == "+8613800138000")
        #expect(PhoneNumber.e164("8613800138000", defaultCountryCode: "86") == "+8613800138000")
        #expect(PhoneNumber.e164("+86 138-0013-8000", defaultCountryCode: "86") == "+8613800138000")
        #expect(PhoneNumber.e164("0086 13800138000", defaultCountryCode: "1") == "+8613800138000")
        #expect(PhoneNumber.e164("07700 900123", defaultCountryCode: "44") == "+447700900123")
        #expect(PhoneNumber.e164("(415) 555-0100", defaultCountryCode: "1") == "+14155550100")
        #expect(PhoneNumber.e164("10086", defaultCountryCode: "86") == "10086")
        #expect(PhoneNumber.e164("ACMEBANK", defaultCountryCode: "86") == "ACMEBANK")
        #expect(PhoneNumber.e164("", defaultCountryCode: "86") == nil)
        #expect(PhoneNumber.e164("+86 138 abc", defaultCountryCode: "86") == nil)
        #expect(PhoneNumber.e164("+1234567890123456", defaultCountryCode: "86") == nil)
    }

    @Test("our Twilio signature equals the twilio package's RequestValidator, with sorted parameters and a query in the URL")
    func twilioSignatureMatchesReference() throws {
        let token = "12345678901234567890123456789012"
        let cases: [(String, [String: String])] = [
            ("https://mycompany.com/myapp.php?foo=1&bar=2", ["CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234", "From": "+12349013030", "To": "+18005551212"]),
            ("https://sb.example.com/v1/inbound/sms/tw", ["Body": "我的订单还没到，太慢了！", "From": "+8613800138000", "MessageSid": "SM0001", "To": "+15005550006"]),
            ("https://sb.example.com/v1/inbound/sms/tw/report?outbox=out_01", ["MessageSid": "SM1", "MessageStatus": "delivered", "ErrorCode": ""]),
        ]
        let ours = TwilioSignature(authToken: token)
        for (url, parameters) in cases {
            let reference = try TwilioReference.signature(authToken: token, url: url, parameters: parameters)
            #expect(ours.signature(url: url, parameters: parameters.map { ($0.key, $0.value) }) == reference)
            #expect(ours.rejection(header: reference, url: url, parameters: parameters.map { ($0.key, $0.value) }) == nil)
        }
        let reason = ours.rejection(header: "AAAA", url: cases[0].0, parameters: [])
        #expect(reason?.contains(token) == false)
    }

    @Test("the rate limiter spaces callers at its rate and holds them all after a pause")
    func rateLimiter() async throws {
        let limiter = SendRateLimiter(perSecond: 50)
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<6 { try await limiter.acquire() }
        // Six callers at 50/s: the sixth waits five intervals of 20 ms.
        #expect(clock.now - start >= .milliseconds(100))
        limiter.pause(seconds: 0.2)
        let paused = clock.now
        try await limiter.acquire()
        #expect(clock.now - paused >= .milliseconds(190))
    }
}

@Suite("SMS source configuration")
struct SMSSourceConfigurationTests {
    static let environment = ["PASSWORD": "kannel-password-1", "SECRET": "kannel-inbound-secret-1", "TOKEN": "twilio-token-123456"]

    private func problems(_ source: String) throws -> [String] {
        try Fixtures.configurationProblems("sources:\n" + source, environment: Self.environment)
    }

    @Test("a Kannel source and a Twilio source load, with their numbers as the provider knows them")
    func validSources() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.write(["Config/switchboard.yaml": """
            server: { public_url: "https://sb.example.com/" }
            sources:
              - id: k
                channel: sms
                number: "1069000001"
                default_country_code: "86"
                max_segments: 4
                send_rate: 2.5
                kannel: { sendsms_url: "http://127.0.0.1:13013/cgi-bin/sendsms", username: sb, password: { env: PASSWORD }, inbound_secret: { env: SECRET } }
              - id: t
                channel: sms
                number: "+15005550006"
                default_country_code: "1"
                twilio: { account_sid: AC1, auth_token: { env: TOKEN } }
            """], under: directory)
        let configuration = try GatewayConfiguration.load(
            path: directory.appendingPathComponent("Config/switchboard.yaml").path, environment: Self.environment)
        let kannel = try #require(configuration.sources.first?.settings(as: SMSSource.self))
        #expect(kannel.number == "1069000001")  // as the provider knows it, not rewritten
        #expect(kannel.maxSegments == 4)
        #expect(kannel.sendRate == 2.5)
        guard case let .kannel(settings) = kannel.provider else { Issue.record("not kannel"); return }
        #expect(settings.dlrMask == 31)
        let twilio = try #require(configuration.sources.last?.settings(as: SMSSource.self))
        guard case let .twilio(twilioSettings) = twilio.provider else { Issue.record("not twilio"); return }
        #expect(twilioSettings.baseURL == "https://api.twilio.com")
        #expect(configuration.server.publicURL == "https://sb.example.com/")
    }

    @Test("wrong SMS settings are refused, naming the key, without the secrets")
    func refusedSettings() throws {
        let base = "  - id: s\n    channel: sms\n    number: \"10690000\"\n    default_country_code: \"86\"\n"
        let kannel = "    kannel: { sendsms_url: \"http://127.0.0.1:13013/cgi-bin/sendsms\", username: sb, password: { env: PASSWORD }, inbound_secret: { env: SECRET } }\n"
        let none = try problems(base)
        #expect(none.contains { $0.contains("needs a provider") }, "\(none)")
        let both = try problems(base + kannel + "    twilio: { account_sid: AC1, auth_token: { env: TOKEN } }\n")
        #expect(both.contains { $0.contains("names two providers") })
        let remote = try problems(base + "    kannel: { sendsms_url: \"http://kannel.example.com/cgi-bin/sendsms\", username: sb, password: { env: PASSWORD }, inbound_secret: { env: SECRET } }\n")
        #expect(remote.contains { $0.contains("clear text") })
        #expect(!remote.joined().contains("kannel-password-1"))
        let inline = try problems(base + "    kannel: { sendsms_url: \"http://127.0.0.1/x\", username: sb, password: hunter2, inbound_secret: { env: SECRET } }\n")
        #expect(inline.contains { $0.contains("is a secret") })
        let spaced = try problems("  - id: s\n    channel: sms\n    number: \"010 6900\"\n    default_country_code: \"86\"\n" + kannel)
        #expect(spaced.contains { $0.contains("number of source 's' must be") })
        let segments = try problems(base + "    max_segments: 40\n" + kannel)
        #expect(segments.contains { $0.contains("max_segments must be 1 to 20") })
        let country = try problems("  - id: s\n    channel: sms\n    number: \"10690000\"\n    default_country_code: \"+86\"\n" + kannel)
        #expect(country.contains { $0.contains("default_country_code must be") })
        let emailKey = try problems(base + kannel + "    imap: { url: \"imaps://x\" }\n")
        #expect(emailKey.contains { $0.contains("imap is only for email sources") })
        let signature = try problems(base + kannel + "    inbound_signature: { scheme: none }\n")
        #expect(signature.contains { $0.contains("inbound_signature is for webhook and email sources") })
    }
}

@Suite("Kannel sendsms answers")
struct KannelAnswerTests {
    @Test("sendsms answers map to submitted, retried or refused, as Kannel 1.4.5 words them")
    func outcomes() {
        let segments = SMSSegments("hello")
        #expect(KannelProvider.outcome(status: 202, answer: "0: Accepted for delivery", segments: segments)
            == .submitted(detail: "Kannel HTTP 202 (0: Accepted for delivery), 1 GSM-7 segment(s)", providerMessageID: nil))
        if case .submitted = KannelProvider.outcome(status: 202, answer: "3: Queued for later delivery", segments: segments) {} else {
            Issue.record("queued for later delivery is a submission")
        }
        if case let .retry(error, _) = KannelProvider.outcome(status: 403, answer: "Not routable. Do not try again.", segments: segments) {
            #expect(error.contains("no SMSC"))
        } else {
            Issue.record("no route is worth retrying while the SMSC comes back")
        }
        if case let .failed(error) = KannelProvider.outcome(status: 403, answer: "Authorization failed for sendsms", segments: segments) {
            #expect(error.contains("credentials"))
        } else {
            Issue.record("wrong credentials are not retried")
        }
        if case .failed = KannelProvider.outcome(status: 400, answer: "Missing receiver number, rejected", segments: segments) {} else {
            Issue.record("a malformed request is refused")
        }
        if case .retry = KannelProvider.outcome(status: 503, answer: "", segments: segments) {} else {
            Issue.record("5xx is retried")
        }
    }
}
