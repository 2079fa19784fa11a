@testable import Channels
import Foundation
import Gateway
import Logging
import StrictYAML
import SwitchboardCore
import TestSupport
import Testing

/// What each channel's inbound adapter makes of the files a request brings, and the `attachments:` settings
/// of each kind of source.
@Suite("Inbound attachments: webhook files, Twilio MMS, per-source settings")
struct InboundAttachmentTests {
    static func post(_ body: String, to adapter: WebhookInboundChannel) throws(SwitchboardError) -> InboundMessage? {
        let request = InboundRequest(method: "POST", target: "/v1/inbound/webhook/shop", headers: ["content-type": "application/json"], body: Data(body.utf8))
        guard case let .messages(messages) = try adapter.read(request) else { return nil }
        return messages.first
    }

    static func refusal(_ body: String, to adapter: WebhookInboundChannel) -> SwitchboardError? {
        do {
            _ = try post(body, to: adapter)
            return nil
        } catch {
            return error
        }
    }

    static let shop = WebhookInboundChannel(
        sourceID: "shop", signature: .none, attachmentPolicy: AttachmentPolicy(fetchHosts: ["files.example.com", "127.0.0.1:8443"]))

    // MARK: - Webhook

    @Test("base64 files are decoded to their bytes with name and type; a url to an allowed host waits to be fetched")
    func webhookFiles() throws {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF, 0x10])
        let body = """
            {"from":"a@example.com","text":"see attached","attachments":[
              {"filename":"发票.png","content_type":"Image/PNG","data_base64":"\(png.base64EncodedString())"},
              {"data_base64":""},
              {"url":"https://files.example.com/f/1.pdf?sig=abc","filename":"scan.pdf","content_type":"application/pdf"},
              {"url":"http://127.0.0.1:8443/x"}
            ]}
            """
        let message = try #require(try Self.post(body, to: Self.shop))
        #expect(message.attachments.count == 4)
        let first = message.attachments[0]
        #expect(first.name == "发票.png")
        #expect(first.contentType == "image/png")
        #expect(first.content == png)
        #expect(first.size == png.count)
        #expect(first.remote == nil)
        #expect(message.attachments[1].content == Data())
        #expect(message.attachments[1].contentType == "application/octet-stream")
        let remote = message.attachments[2]
        #expect(remote.remote == RemoteAttachment(url: "https://files.example.com/f/1.pdf?sig=abc"))
        #expect(remote.content == nil)
        #expect(remote.size == 0)
        #expect(remote.name == "scan.pdf")
        #expect(message.attachments[3].remote?.url == "http://127.0.0.1:8443/x")
        // A message without files has none.
        #expect(try Self.post(#"{"from":"a@example.com","text":"hi"}"#, to: Self.shop)?.attachments == [])
    }

    @Test("malformed base64 is 400 invalid_request naming attachments[i].data_base64")
    func badBase64() {
        let base = #"{"from":"a@example.com","text":"t","attachments":[{"data_base64":"aGVsbG8="},"#
        for bad in ["aGVsbG8", "aGVs\nbG8=", "aGVsbG8_", "!!!!"] {
            let json = base + #"{"data_base64":"\#(bad.replacingOccurrences(of: "\n", with: "\\n"))"}]}"#
            let error = Self.refusal(json, to: Self.shop)
            #expect(error?.code == .invalidRequest, "\(bad)")
            #expect(error?.message.hasPrefix("attachments[1].data_base64 ") == true, "\(String(describing: error))")
        }
    }

    @Test("a url outside fetch_hosts is refused invalid_attachment naming the host and the source")
    func urlHosts() {
        let evil = Self.refusal(#"{"from":"a@example.com","text":"t","attachments":[{"url":"https://evil.example/steal?x=1"}]}"#, to: Self.shop)
        #expect(evil == SwitchboardError(.invalidAttachment, "attachments[0].url: host 'evil.example' is not in source 'shop' fetch_hosts"))
        // A host allowed on its default port is not allowed on another one, and the reverse.
        let port = Self.refusal(#"{"from":"a@example.com","text":"t","attachments":[{"url":"https://files.example.com:8443/a"}]}"#, to: Self.shop)
        #expect(port?.message == "attachments[0].url: host 'files.example.com:8443' is not in source 'shop' fetch_hosts")
        #expect(Self.refusal(#"{"from":"a@example.com","text":"t","attachments":[{"url":"http://127.0.0.1/x"}]}"#, to: Self.shop)?.code == .invalidAttachment)
        // A subdomain is another host.
        #expect(Self.refusal(#"{"from":"a@example.com","text":"t","attachments":[{"url":"https://a.files.example.com/x"}]}"#, to: Self.shop)?.code == .invalidAttachment)
        // With no fetch_hosts at all, no url is taken.
        let closed = WebhookInboundChannel(sourceID: "closed", signature: .none)
        let none = Self.refusal(#"{"from":"a@example.com","text":"t","attachments":[{"url":"https://files.example.com/a"}]}"#, to: closed)
        #expect(none?.message == "attachments[0].url: host 'files.example.com' is not in source 'closed' fetch_hosts")
        // Another scheme, credentials in the URL, or no URL at all are malformed requests.
        for url in ["ftp://files.example.com/a", "https://u:p@files.example.com/a", "files.example.com/a", "file:///etc/passwd"] {
            let error = Self.refusal(#"{"from":"a@example.com","text":"t","attachments":[{"url":"\#(url)"}]}"#, to: Self.shop)
            #expect(error?.code == .invalidRequest, "\(url)")
            #expect(error?.message.hasPrefix("attachments[0].url must be an http:// or https:// URL") == true)
        }
    }

    @Test("an entry is exactly one of data_base64 or url; types, names and the entry count are checked")
    func entryShape() {
        func error(_ attachments: String) -> SwitchboardError? {
            Self.refusal(#"{"from":"a@example.com","text":"t","attachments":"# + attachments + "}", to: Self.shop)
        }
        #expect(error(#"[{"filename":"a"}]"#)?.message == "attachments[0] must have exactly one of data_base64 or url")
        #expect(error(#"[{"data_base64":"","url":"https://files.example.com/a"}]"#)?.message == "attachments[0] must have exactly one of data_base64 or url")
        #expect(error(#"[{"data_base64":"","content_type":"not a type"}]"#)?.message == "attachments[0].content_type must be a media type such as image/png")
        #expect(error(#"[{"data_base64":"","filename":"a\u0001b"}]"#)?.message == "attachments[0].filename must not contain control characters")
        #expect(error(#"[{"data_base64":"","filename":""}]"#)?.message == "attachments[0].filename must be 1 to 255 characters")
        #expect(error(#"[{"data_base64":5}]"#)?.message == "field 'attachments[0].data_base64' must be a string")
        #expect(error(#"["x"]"#)?.message == "field 'attachments[0]' must be an object")
        #expect(error(#"{"url":"x"}"#)?.message == "field 'attachments' must be a list")
        let hundred = "[" + Array(repeating: #"{"data_base64":""}"#, count: 100).joined(separator: ",") + "]"
        #expect(error(hundred) == nil)
        let tooMany = "[" + Array(repeating: #"{"data_base64":""}"#, count: 101).joined(separator: ",") + "]"
        #expect(error(tooMany) == SwitchboardError(.invalidRequest, "field 'attachments' holds 101 files; at most 100 are taken per message"))
    }

    // MARK: - Twilio

    static func twilio(baseURL: String = "https://api.twilio.com") -> TwilioProvider {
        let settings = SMSSource.Twilio(baseURL: baseURL, accountSID: "AC0123", authToken: "auth-token-secret")
        let source = SMSSource(id: "mms", number: "+15005550006", defaultCountryCode: "1", provider: .twilio(settings))
        return TwilioProvider(source: source, settings: settings, address: PublicAddress("https://sb.example.com"), logger: Logger(label: "test"))
    }

    static func form(_ fields: [(String, String)]) -> InboundRequest {
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
        return InboundRequest(
            method: "POST", target: "/v1/inbound/sms/mms", headers: ["content-type": "application/x-www-form-urlencoded"], body: Data(body.utf8))
    }

    @Test("an MMS's media become files to fetch with the account's credentials, only from the API host")
    func twilioMedia() throws {
        let media = "https://api.twilio.com/2010-04-01/Accounts/AC0123/Messages/MM1/Media/ME"
        let request = Self.form([
            ("MessageSid", "MM1"), ("From", "+14155550100"), ("To", "+15005550006"), ("Body", ""), ("NumMedia", "3"),
            ("MediaUrl0", media + "0"), ("MediaContentType0", "image/jpeg"),
            ("MediaUrl1", "https://evil.example/Media/ME1"), ("MediaContentType1", "image/png"),
            ("MediaUrl2", "http://api.twilio.com/2010-04-01/Media/ME2"),
        ])
        let message = try Self.twilio().inboundMessage(from: request)
        #expect(message.text == "[MMS without text]")
        #expect(message.warnings.isEmpty)
        #expect(message.attachments.count == 3)
        #expect(message.attachments[0].remote == RemoteAttachment(url: media + "0", user: "AC0123", password: "auth-token-secret"))
        #expect(message.attachments[0].contentType == "image/jpeg")
        #expect(message.attachments[0].refusal == nil)
        // Elsewhere, or the API host over another scheme: listed, not fetched, no credentials.
        #expect(message.attachments[1].remote == nil)
        #expect(message.attachments[1].refusal?.code == "not_fetched")
        #expect(message.attachments[1].refusal?.message.contains("'evil.example'") == true)
        #expect(message.attachments[1].contentType == "image/png")
        #expect(message.attachments[2].remote == nil)
        #expect(message.attachments[2].refusal?.code == "not_fetched")
        #expect(!message.attachments.compactMap(\.refusal).map(\.message).joined().contains("auth-token-secret"))
    }

    @Test("a configured base_url's host is the one that gets the credentials; media beyond ten are refused too_many")
    func twilioBaseURLAndCap() throws {
        let base = "http://127.0.0.1:18080"
        var fields: [(String, String)] = [("MessageSid", "MM2"), ("From", "+14155550100"), ("Body", "photos"), ("NumMedia", "12")]
        for index in 0..<12 { fields.append(("MediaUrl\(index)", "\(base)/2010-04-01/Media/ME\(index)")) }
        let message = try Self.twilio(baseURL: base).inboundMessage(from: Self.form(fields))
        #expect(message.attachments.count == 12)
        #expect(message.attachments.prefix(10).allSatisfy { $0.remote?.user == "AC0123" && $0.refusal == nil })
        #expect(message.attachments.suffix(2).allSatisfy { $0.refusal?.code == "too_many" && $0.remote == nil })
        // The real API host is not the configured one here.
        let elsewhere = try Self.twilio(baseURL: base).inboundMessage(from: Self.form([
            ("MessageSid", "MM3"), ("From", "+14155550100"), ("NumMedia", "1"), ("MediaUrl0", "https://api.twilio.com/Media/ME0"),
        ]))
        #expect(elsewhere.attachments.first?.refusal?.code == "not_fetched")
        // A count with no URL lists the file as not fetched.
        let missing = try Self.twilio().inboundMessage(from: Self.form([("MessageSid", "MM4"), ("From", "+14155550100"), ("NumMedia", "1")]))
        #expect(missing.attachments.first?.refusal?.code == "not_fetched")
        #expect(try Self.twilio().inboundMessage(from: Self.form([("MessageSid", "MM5"), ("From", "+14155550100"), ("Body", "hi")])).attachments == [])
    }

    @Test("Twilio sources fetch through redirects (to the CDN), webhook sources never")
    func redirectPolicy() {
        let twilio = Self.twilio()
        let adapter = SMSInboundChannel(provider: twilio, attachmentPolicy: twilio.attachmentPolicy(twilio.source))
        #expect(adapter.attachmentPolicy.followRedirects)
        #expect(adapter.attachmentPolicy.limits == .standard)
        #expect(!Self.shop.attachmentPolicy.followRedirects)
    }

    // MARK: - Settings

    static let environment = ["SECRET": "a-thread-secret-long-enough", "TOKEN": "twilio-auth-token"]

    static func load(_ sources: String) throws -> GatewayConfiguration {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.write(["Config/switchboard.yaml": "sources:\n" + sources], under: directory)
        return try GatewayConfiguration.load(path: directory.appendingPathComponent("Config/switchboard.yaml").path, environment: environment)
    }

    @Test("each kind of source reads its attachments block; what it leaves out keeps the defaults")
    func settingsRead() throws {
        let configuration = try Self.load("""
              - id: shop
                channel: webhook
                max_body_bytes: 40000000
                attachments: { max_bytes: 1000000, max_count: 5, fetch_hosts: [Files.Example.com, "cdn.example.com:8443", "[::1]:9000"] }
              - id: plain
                channel: webhook
              - id: mms
                channel: sms
                number: "+15005550006"
                default_country_code: "1"
                twilio: { account_sid: AC1, auth_token: { env: TOKEN } }
                attachments: { max_total_bytes: 60000000 }
              - id: mail
                channel: email
                address: support@example.com
                thread_secret: { env: SECRET }
                max_message_bytes: 10000000
              - id: mail2
                channel: email
                address: help@example.com
                thread_secret: { env: SECRET }
                max_message_bytes: 10000000
                attachments: { max_count: 3 }
            """)
        let shop = try #require(configuration.sources.first { $0.id == "shop" }?.settings(as: WebhookSource.self))
        #expect(shop.attachmentPolicy.limits == AttachmentLimits(maxBytes: 1_000_000, maxTotalBytes: 25 * 1024 * 1024, maxCount: 5))
        #expect(shop.attachmentPolicy.fetchHosts == ["files.example.com", "cdn.example.com:8443", "[::1]:9000"])
        #expect(shop.maxBodyBytes == 40_000_000)
        let plain = try #require(configuration.sources.first { $0.id == "plain" }?.settings(as: WebhookSource.self))
        #expect(plain.attachmentPolicy == .standard)
        #expect(plain.maxBodyBytes == nil)
        let adapters = try WebhookPlugin.assemble(
            [shop, plain], context: ChannelContext(address: PublicAddress(), deliveryTimeout: .seconds(5), logger: Logger(label: "test")))
        #expect(adapters.inbound["shop"]?.maxBodyBytes == 40_000_000)
        #expect(adapters.inbound["shop"]?.attachmentPolicy == shop.attachmentPolicy)
        #expect(adapters.inbound["plain"]?.maxBodyBytes == nil)

        let mms = try #require(configuration.sources.first { $0.id == "mms" }?.settings(as: SMSSource.self))
        #expect(mms.attachmentLimits == AttachmentLimits(maxBytes: 25 * 1024 * 1024, maxTotalBytes: 60_000_000, maxCount: 50))
        let smsAdapters = try SMSPlugin.assemble(
            [mms], context: ChannelContext(address: PublicAddress(), deliveryTimeout: .seconds(5), logger: Logger(label: "test")))
        #expect(smsAdapters.inbound["mms"]?.attachmentPolicy == AttachmentPolicy(limits: mms.attachmentLimits, followRedirects: true))

        let mail = try #require(configuration.sources.first { $0.id == "mail" }?.settings(as: EmailSource.self))
        #expect(mail.attachmentPolicy.limits == AttachmentLimits(maxBytes: 10_000_000, maxTotalBytes: 10_000_000, maxCount: 50))
        #expect(EmailInboundChannel(normalizer: EmailNormalizer(source: mail), signature: .none).attachmentPolicy == mail.attachmentPolicy)
        let mail2 = try #require(configuration.sources.first { $0.id == "mail2" }?.settings(as: EmailSource.self))
        #expect(mail2.attachmentPolicy.limits == AttachmentLimits(maxBytes: 10_000_000, maxTotalBytes: 10_000_000, maxCount: 3))
    }

    @Test("wrong attachments settings are refused at their position")
    func settingsRefused() throws {
        func problems(_ yaml: String) throws -> [String] {
            try Fixtures.configurationProblems("sources:\n" + yaml, environment: Self.environment)
        }
        let webhook = "  - id: shop\n    channel: webhook\n"
        let scheme = try problems(webhook + "    attachments:\n      fetch_hosts: [\"https://files.example.com\", \"*.example.com\", ok.example.com, \"a.example.com:99999\"]\n")
        #expect(scheme.count == 3, "\(scheme)")
        #expect(scheme.first?.contains(":5:21: fetch_hosts of source 'shop': 'https://files.example.com' must be a host name") == true, "\(scheme)")
        #expect(scheme.contains { $0.contains("'*.example.com' must be a host name") })
        #expect(scheme.contains { $0.contains("'a.example.com:99999' must be a host name") })
        let size = try problems(webhook + "    attachments: { max_bytes: 0 }\n")
        #expect(size.first?.contains(":4:31: max_bytes of attachments of source 'shop' must be between 1 and 268435456 bytes") == true, "\(size)")
        let order = try problems(webhook + "    attachments: { max_bytes: 2000, max_total_bytes: 1000 }\n")
        #expect(order.first?.contains("max_bytes of attachments of source 'shop' is larger than its max_total_bytes") == true, "\(order)")
        let count = try problems(webhook + "    attachments: { max_count: -1 }\n")
        #expect(count.first?.contains("max_count of attachments of source 'shop' must be between 0") == true, "\(count)")
        let body = try problems(webhook + "    max_body_bytes: 100000000\n")
        #expect(body.first?.contains(":4:21: max_body_bytes of source 'shop' must be between 1024 and 67108864") == true, "\(body)")
        let notMap = try problems(webhook + "    attachments: 5\n")
        #expect(notMap.first?.contains("attachments of source 'shop' must be a mapping") == true, "\(notMap)")

        // Only a webhook names URLs to fetch.
        let sms = "  - id: mms\n    channel: sms\n    number: \"+15005550006\"\n    default_country_code: \"1\"\n    twilio: { account_sid: AC1, auth_token: { env: TOKEN } }\n"
        let smsHosts = try problems(sms + "    attachments: { fetch_hosts: [a.example.com] }\n")
        #expect(smsHosts.first?.contains(":7:20: unknown key 'fetch_hosts' in attachments of source 'mms' (expected one of: max_bytes, max_total_bytes, max_count)") == true, "\(smsHosts)")
        let mail = "  - id: mail\n    channel: email\n    address: support@example.com\n    thread_secret: { env: SECRET }\n"
        let mailHosts = try problems(mail + "    attachments: { fetch_hosts: [a.example.com] }\n")
        #expect(mailHosts.first?.contains("unknown key 'fetch_hosts' in attachments of source 'mail'") == true, "\(mailHosts)")
        let mailSize = try problems(mail + "    attachments: { max_total_bytes: 300000000 }\n")
        #expect(mailSize.first?.contains(":6:37: max_total_bytes of attachments of source 'mail' must be between 1 and 268435456 bytes") == true, "\(mailSize)")
    }

    @Test("fetch_hosts entries read as lower-case host and optional port")
    func fetchHostSyntax() {
        #expect(SettingsReader.fetchHost("Files.Example.COM") == "files.example.com")
        #expect(SettingsReader.fetchHost("203.0.113.7:8443") == "203.0.113.7:8443")
        #expect(SettingsReader.fetchHost("[2001:DB8::1]:443") == "[2001:db8::1]:443")
        #expect(SettingsReader.fetchHost("host:0080") == "host:80")
        for bad in ["", "https://a.example.com", "a.example.com/x", "*.example.com", "a..example.com", "-a.example.com", "a.example.com:", "a.example.com:0", "[::1", "user@host"] {
            #expect(SettingsReader.fetchHost(bad) == nil, "\(bad)")
        }
        let policy = AttachmentPolicy(fetchHosts: ["files.example.com", "files.example.com:8443", "[::1]:9000"])
        #expect(policy.allowsFetch(from: "https://files.example.com/a"))
        #expect(policy.allowsFetch(from: "http://files.example.com/a"))
        #expect(policy.allowsFetch(from: "https://FILES.example.com:443/a"))
        #expect(policy.allowsFetch(from: "https://files.example.com:8443/a"))
        #expect(!policy.allowsFetch(from: "https://files.example.com:8080/a"))
        #expect(policy.allowsFetch(from: "http://[::1]:9000/a"))
        #expect(!policy.allowsFetch(from: "http://[::1]/a"))
        #expect(!policy.allowsFetch(from: "ftp://files.example.com/a"))
    }
}
