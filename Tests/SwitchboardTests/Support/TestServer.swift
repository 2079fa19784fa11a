/// A server a test starts for the gateway to talk to (a reply receiver, a fake provider).
protocol TestServer: Sendable {
    func stop() async
}

extension ReplyReceiver: TestServer {}
extension FakeSMSOperator: TestServer {}
extension FakeTwilioAPI: TestServer {}

/// Runs `body`, then stops `server` and waits for it, whether `body` returned or threw: a `defer` cannot
/// await, and a stop left to a detached task could outlive the test and hold its port.
func stopping<Result>(_ server: some TestServer, after body: () async throws -> Result) async throws -> Result {
    let result: Result
    do {
        result = try await body()
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
    return result
}
