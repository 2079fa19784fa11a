import Curl
import Foundation
import Logging
import SwitchboardCore
import Testing

/// The attachment fetcher against a real HTTP server on 127.0.0.1: bytes, basic auth, the byte limit
/// while streaming, error statuses and redirects.
@Suite("Attachment fetcher over curl", .timeLimit(.minutes(2)))
struct CurlAttachmentFetcherTests {
    let fetcher = CurlAttachmentFetcher(timeout: .seconds(60), logger: Logger(label: "fetch-test"))

    /// Runs `body` with a started host and stops it after, also when `body` throws.
    private func withHost(
        credentials: (user: String, password: String)? = nil, _ body: (FakeMediaHost) async throws -> Void
    ) async throws {
        let host = FakeMediaHost(credentials: credentials)
        await host.start()
        do {
            try await body(host)
        } catch {
            await host.stop()
            throw error
        }
        await host.stop()
    }

    @Test("a file comes back byte for byte, with the host's declared type")
    func fetchesBytes() async throws {
        try await withHost { host in
            let result = await fetcher.fetch(
                RemoteAttachment(url: "http://127.0.0.1:\(host.port)/file/a.png"), maxBytes: 1 << 20, followRedirects: false)
            let file = try result.get()
            #expect(file.data == FakeMediaHost.bytes)
            #expect(file.contentType == "image/png")
            #expect(host.requests.map(\.authorization) == [nil])
        }
    }

    @Test("basic auth is sent when given, and a host that wants it refuses a fetch without it as fetch_failed naming 401")
    func basicAuth() async throws {
        try await withHost(credentials: ("AC123", "token-secret")) { host in
            let url = "http://127.0.0.1:\(host.port)/file/b.png"
            let file = try await fetcher.fetch(RemoteAttachment(url: url, user: "AC123", password: "token-secret"), maxBytes: 1 << 20, followRedirects: false).get()
            #expect(file.data == FakeMediaHost.bytes)
            #expect(host.requests.first?.authorization == "Basic " + Data("AC123:token-secret".utf8).base64EncodedString())

            let refused = await fetcher.fetch(RemoteAttachment(url: url), maxBytes: 1 << 20, followRedirects: false)
            guard case let .failure(refusal) = refused else {
                Issue.record("a fetch without credentials was answered")
                return
            }
            #expect(refusal.code == "fetch_failed")
            #expect(refusal.message.contains("HTTP 401"))
            let wrong = await fetcher.fetch(RemoteAttachment(url: url, user: "AC123", password: "wrong"), maxBytes: 1 << 20, followRedirects: false)
            #expect(Self.refusal(wrong)?.message.contains("HTTP 401") == true)
            #expect(!(Self.refusal(wrong)?.message.contains("wrong") ?? true))
        }
    }

    @Test("a body with no length that runs past max_bytes is refused too_large and the transfer stops while it streams")
    func limitWhileStreaming() async throws {
        try await withHost { host in
            let limit = 1 << 20
            let result = await fetcher.fetch(RemoteAttachment(url: "http://127.0.0.1:\(host.port)/endless"), maxBytes: limit, followRedirects: false)
            let refusal = try #require(Self.refusal(result))
            #expect(refusal.code == "too_large")
            #expect(refusal.message.contains("\(limit) bytes"))
            // The server's writer ends when the client is gone: short of what it would have sent. How much it
            // wrote into socket buffers before it noticed depends on the machine's load, hence the wide margin.
            var ended = host.endlessEnded.makeAsyncIterator()
            let sent = try #require(await ended.next())
            #expect(sent < FakeMediaHost.endlessTotal / 2, "server wrote \(sent) bytes")
        }
    }

    @Test("a declared Content-Length over max_bytes is refused too_large; a file exactly at the limit is kept")
    func declaredLength() async throws {
        try await withHost { host in
            let result = await fetcher.fetch(RemoteAttachment(url: "http://127.0.0.1:\(host.port)/declared"), maxBytes: 4096, followRedirects: false)
            #expect(Self.refusal(result)?.code == "too_large")
            let exact = await fetcher.fetch(
                RemoteAttachment(url: "http://127.0.0.1:\(host.port)/file/c.png"), maxBytes: FakeMediaHost.bytes.count, followRedirects: false)
            #expect((try? exact.get().data) == FakeMediaHost.bytes)
            let oneShort = await fetcher.fetch(
                RemoteAttachment(url: "http://127.0.0.1:\(host.port)/file/c.png"), maxBytes: FakeMediaHost.bytes.count - 1, followRedirects: false)
            #expect(Self.refusal(oneShort)?.code == "too_large")
        }
    }

    @Test("a 404 is fetch_failed naming the status and the host, never the path or query")
    func notFound() async throws {
        try await withHost { host in
            let result = await fetcher.fetch(
                RemoteAttachment(url: "http://127.0.0.1:\(host.port)/missing?token=query-secret"), maxBytes: 1 << 20, followRedirects: false)
            let refusal = try #require(Self.refusal(result))
            #expect(refusal.code == "fetch_failed")
            #expect(refusal.message.contains("HTTP 404"))
            #expect(refusal.message.contains("'127.0.0.1'"))
            #expect(!refusal.message.contains("query-secret"))
            #expect(!refusal.message.contains("/missing"))
        }
    }

    @Test("a redirect is followed only when allowed, and the credentials stay with the first host")
    func redirects() async throws {
        try await withHost(credentials: ("AC123", "token-secret")) { origin in
            try await withHost { cdn in
                // Another host name for the same machine: curl treats it as another host.
                let target = "http://localhost:\(cdn.port)/file/d.png"
                let url = "http://127.0.0.1:\(origin.port)/redirect?to=\(target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
                let remote = RemoteAttachment(url: url, user: "AC123", password: "token-secret")

                let refused = await fetcher.fetch(remote, maxBytes: 1 << 20, followRedirects: false)
                let refusal = try #require(Self.refusal(refused))
                #expect(refusal.code == "fetch_failed")
                #expect(refusal.message.contains("HTTP 302"))
                #expect(cdn.requests.isEmpty)

                let file = try await fetcher.fetch(remote, maxBytes: 1 << 20, followRedirects: true).get()
                #expect(file.data == FakeMediaHost.bytes)
                #expect(origin.requests.allSatisfy { $0.authorization != nil })
                #expect(cdn.requests == [FakeMediaHost.Seen(path: "/file/d.png", authorization: nil)])
            }
        }
    }

    @Test("redirects stop after three, and never lead to another protocol")
    func redirectLimits() async throws {
        try await withHost { host in
            func hop(_ target: String) -> String {
                "http://127.0.0.1:\(host.port)/redirect?to=" + target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            }
            let file = "http://127.0.0.1:\(host.port)/file/e.png"
            let three = try await fetcher.fetch(RemoteAttachment(url: hop(hop(hop(file)))), maxBytes: 1 << 20, followRedirects: true).get()
            #expect(three.data == FakeMediaHost.bytes)
            let four = await fetcher.fetch(RemoteAttachment(url: hop(hop(hop(hop(file))))), maxBytes: 1 << 20, followRedirects: true)
            #expect(Self.refusal(four)?.message.contains("more than 3 redirects") == true)
            let ftp = await fetcher.fetch(RemoteAttachment(url: hop("ftp://127.0.0.1/file")), maxBytes: 1 << 20, followRedirects: true)
            #expect(Self.refusal(ftp)?.code == "fetch_failed")
            #expect(host.requests.filter { $0.path == "/file/e.png" }.count == 1)
        }
    }

    @Test("only http and https URLs without credentials in them are fetched")
    func schemes() async {
        for url in ["ftp://127.0.0.1/x", "file:///etc/passwd", "http://user:pw@127.0.0.1/x", "not a url"] {
            let refusal = Self.refusal(await fetcher.fetch(RemoteAttachment(url: url), maxBytes: 1 << 20, followRedirects: true))
            #expect(refusal?.code == "fetch_failed", "\(url)")
            #expect(!(refusal?.message.contains("pw") ?? true))
        }
    }

    static func refusal(_ result: Result<FetchedFile, AttachmentRefusal>) -> AttachmentRefusal? {
        if case let .failure(refusal) = result { return refusal }
        return nil
    }
}
