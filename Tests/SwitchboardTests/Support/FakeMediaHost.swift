import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A host of customers' files on 127.0.0.1, as a provider's media API or a CDN is: serves fixed bytes
/// (optionally behind basic auth), a 404, redirects, and an endless stream, and records the
/// `Authorization` each request carried.
///
/// - `GET /file/{name}`: ``bytes`` with `Content-Type: image/png`; with ``credentials`` set, only to
///   matching basic auth (401 otherwise).
/// - `GET /missing`: 404.
/// - `GET /redirect?to=URL`: 302 to `URL`.
/// - `GET /endless`: chunks with no length until the client goes or ``endlessTotal`` bytes were sent;
///   when it ends, ``endlessEnded`` yields how many bytes were written.
/// - `GET /declared`: ``endlessTotal`` bytes with a `Content-Length`.
final class FakeMediaHost: TestServer, Sendable {
    struct Seen: Sendable, Equatable {
        var path: String
        var authorization: String?
    }

    /// A PNG signature and more: something that is not text.
    static let bytes = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) })
    static let endlessTotal = 512 * 1024 * 1024

    let credentials: (user: String, password: String)?
    private let seen = Mutex<[Seen]>([])
    private let server = LoopbackServer()
    let endlessEnded: AsyncStream<Int>
    private let endlessContinuation: AsyncStream<Int>.Continuation

    init(credentials: (user: String, password: String)? = nil) {
        self.credentials = credentials
        (endlessEnded, endlessContinuation) = AsyncStream<Int>.makeStream()
    }

    var port: Int { server.port }
    /// Every request so far, in order.
    var requests: [Seen] { seen.withLock { $0 } }

    func start() async {
        let router = Router()
        let expected = credentials.map { "Basic " + Data("\($0.user):\($0.password)".utf8).base64EncodedString() }
        router.get("file/:name") { request, _ -> Response in
            let authorization = request.headers[.authorization]
            self.seen.withLock { $0.append(Seen(path: request.uri.path, authorization: authorization)) }
            if let expected, authorization != expected {
                return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"media\""])
            }
            return Response(status: .ok, headers: [.contentType: "image/png"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: Self.bytes)))
        }
        router.get("missing") { request, _ -> Response in
            self.seen.withLock { $0.append(Seen(path: request.uri.path, authorization: request.headers[.authorization])) }
            return Response(status: .notFound, body: ResponseBody(byteBuffer: ByteBuffer(string: "no such file")))
        }
        router.get("redirect") { request, _ -> Response in
            self.seen.withLock { $0.append(Seen(path: request.uri.path, authorization: request.headers[.authorization])) }
            let target = request.uri.queryParameters.get("to") ?? "/missing"
            return Response(status: .found, headers: [.location: target])
        }
        router.get("endless") { request, _ -> Response in
            self.seen.withLock { $0.append(Seen(path: request.uri.path, authorization: request.headers[.authorization])) }
            let ended = self.endlessContinuation
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: ResponseBody { writer in
                let chunk = ByteBuffer(repeating: 0x41, count: 64 * 1024)
                var sent = 0
                defer { ended.yield(sent) }
                while sent < Self.endlessTotal {
                    try await writer.write(chunk)
                    sent += chunk.readableBytes
                }
                try await writer.finish(nil)
            })
        }
        router.get("declared") { request, _ -> Response in
            self.seen.withLock { $0.append(Seen(path: request.uri.path, authorization: request.headers[.authorization])) }
            return Response(status: .ok, body: ResponseBody(contentLength: Self.endlessTotal) { writer in
                let chunk = ByteBuffer(repeating: 0x42, count: 64 * 1024)
                var sent = 0
                while sent < Self.endlessTotal {
                    try await writer.write(chunk)
                    sent += chunk.readableBytes
                }
                try await writer.finish(nil)
            })
        }
        await server.start(router, label: "fake-media-host")
    }

    func stop() async {
        await server.stop()
        endlessContinuation.finish()
    }
}
