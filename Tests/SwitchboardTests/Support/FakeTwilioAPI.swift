import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A provider speaking Twilio's `Messages` REST resource on 127.0.0.1: records each submission, answers
/// with scripted statuses (then 201 with a fresh `SM…` sid), and can run a hook before answering, so a
/// test can deliver a status callback while the submission is still in flight.
final class FakeTwilioAPI: Sendable {
    struct Submission: Sendable {
        var accountSID: String
        var authorization: String?
        var form: [String: String]
        var at: ContinuousClock.Instant
    }

    /// A scripted answer: status and headers (201 with a sid when the script has run out).
    struct Answer: Sendable {
        var status: Int
        var headers: [String: String] = [:]
        var body: String = #"{"code": 20429, "message": "Too Many Requests", "status": 429}"#
    }

    private struct State {
        var answers: [Answer]
        var submissions: [Submission] = []
        var issued = 0
        var beforeAnswer: (@Sendable (String) async -> Void)?
    }

    private let state: Mutex<State>
    private let server = LoopbackServer()

    var port: Int { server.port }

    init(answers: [Answer] = []) {
        state = Mutex(State(answers: answers))
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var submissions: [Submission] { state.withLock { $0.submissions } }

    /// Runs before each successful answer, with the sid about to be returned.
    func setBeforeAnswer(_ hook: (@Sendable (String) async -> Void)?) {
        state.withLock { $0.beforeAnswer = hook }
    }

    func start() async throws {
        let router = Router()
        router.post("2010-04-01/Accounts/:account/Messages.json") { request, context -> Response in
            var body = Data()
            for try await chunk in request.body { body.append(contentsOf: chunk.readableBytesView) }
            var form: [String: String] = [:]
            for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                    $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                form[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            let submission = Submission(
                accountSID: context.parameters.get("account") ?? "", authorization: request.headers[.authorization], form: form,
                at: ContinuousClock().now)
            let (answer, sid, hook) = self.state.withLock { state -> (Answer?, String, (@Sendable (String) async -> Void)?) in
                state.submissions.append(submission)
                if !state.answers.isEmpty { return (state.answers.removeFirst(), "", nil) }
                state.issued += 1
                return (nil, String(format: "SM%032d", state.issued), state.beforeAnswer)
            }
            if let answer {
                var headers = HTTPFields()
                for (name, value) in answer.headers { headers[HTTPField.Name(name)!] = value }
                headers[.contentType] = "application/json"
                return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
            }
            await hook?(sid)
            let json = #"{"sid": "\#(sid)", "status": "queued", "num_segments": "1"}"#
            return Response(status: .created, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        await server.start(router, label: "fake-twilio")
    }

    func stop() async {
        await server.stop()
    }
}
