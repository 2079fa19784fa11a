import NIOPosix

/// Where blocking curl transfers run: a pool of threads of their own, off Swift's cooperative pool.
///
/// A concurrent `DispatchQueue` does not do here: on Linux, libdispatch gives its blocked work items only
/// about as many threads as there are cores, so eight slow webhook receivers would hold every other
/// delivery (and anything else on Dispatch) behind three transfers.
enum BlockingTransfers {
    /// Enough for the outbox's deliveries and SMTP sends in flight at once; a transfer beyond it waits.
    static let threadCount = 64

    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: threadCount)
        pool.start()
        return pool
    }()

    /// Runs a blocking transfer on the pool and returns its result.
    static func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await pool.runIfActive(work)
    }
}
