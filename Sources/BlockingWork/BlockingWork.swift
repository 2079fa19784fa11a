import NIOPosix

/// The one home of blocking work: curl transfers (HTTP, SMTP, IMAP) and rule compilation run on a pool
/// of threads of its own, never on Swift's cooperative pool and never on a request handler's thread.
///
/// A concurrent `DispatchQueue` does not do here: on Linux, libdispatch gives its blocked work items only
/// about as many threads as there are cores, so eight slow webhook receivers would hold every other
/// delivery (and anything else on Dispatch) behind three transfers. A serial queue per IMAP session, as
/// before, was one more thread pool beside this one.
public enum BlockingWork {
    /// Enough for the outbox's deliveries, SMTP sends, mailbox polls and a rule compile at once; work
    /// beyond it waits.
    public static let threadCount = 64

    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: threadCount)
        pool.start()
        return pool
    }()

    /// Runs blocking work on the pool and returns its result.
    public static func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await pool.runIfActive(work)
    }

    /// Runs blocking work on the pool without waiting for it, for clean-ups that cannot be awaited (a
    /// `deinit`).
    public static func submit(_ work: @escaping @Sendable () -> Void) {
        pool.submit { _ in work() }
    }
}
