@testable import Benchmarks
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Load generator")
struct LoadGeneratorTests {
    /// The generator's figures are only as good as its own HTTP: every request must reach the server whole,
    /// and every answer (sized or chunked, success or failure) must be read to its end before the next
    /// request on the connection, or the counts and latencies describe something else.
    @Test("each request arrives whole; sized, chunked and failing answers are counted, one latency per request", .timeLimit(.minutes(5)))
    func countsWhatTheServerAnswered() async throws {
        let router = Router()
        router.get("sized") { _, _ in "sized answer" }
        router.get("chunked") { _, _ in
            // No length given: Hummingbird sends the parts as chunks.
            Response(status: .ok, body: ResponseBody { writer in
                for part in ["first part, ", "second part, ", String(repeating: "x", count: 70_000)] {
                    try await writer.write(ByteBuffer(string: part))
                }
                try await writer.finish(nil)
            })
        }
        router.get("fails") { _, _ -> Response in Response(status: .serviceUnavailable, body: ResponseBody(byteBuffer: ByteBuffer(string: "busy"))) }
        router.post("echo/:number") { request, context -> Response in
            let number = context.parameters.get("number") ?? ""
            let body = try await request.body.collect(upTo: 1 << 20)
            // A body cut short, or one that ran into the next request, answers 400 and counts as failed.
            return String(buffer: body) == Self.body(number) ? Response(status: .created) : Response(status: .badRequest)
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))

        try await application.test(.live) { client in
            let port = try #require(client.port)
            let result = await LoadGenerator(port: port, connections: 4, duration: 300, maxRequests: 400).run { number in
                switch number % 4 {
                case 0: LoadRequest(method: "GET", path: "/fails")
                case 1: LoadRequest(method: "GET", path: "/sized")
                case 2: LoadRequest(method: "GET", path: "/chunked")
                default:
                    LoadRequest(
                        method: "POST", path: "/echo/\(number)", headers: [("Content-Type", "text/plain")], body: Array(Self.body("\(number)").utf8))
                }
            }
            #expect(result.succeeded == 300)
            #expect(result.failed == 100)
            #expect(result.latencies.count == 400)
            #expect(result.latencies.allSatisfy { $0 > 0 && $0 < 300 })
        }
    }

    /// A body long enough to take more than one read on the server.
    static func body(_ number: String) -> String {
        "message \(number): " + String(repeating: "请问订单到哪了？", count: 500)
    }
}
