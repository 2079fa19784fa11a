import Synchronization

/// How many connections a server has open, against its limit; shared by the connections' event loops.
final class OpenConnections: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a connection that opened; false when it is one over the limit (it is counted all the same,
    /// and ``closed()`` uncounts it).
    func opened() -> Bool {
        count.add(1, ordering: .relaxed).newValue <= limit
    }

    func closed() {
        count.subtract(1, ordering: .relaxed)
    }
}
