import Foundation

extension Array where Element: Sendable {
    /// `map` spread over the cooperative pool's threads, results in order.
    ///
    /// For CPU-bound work on a batch that one task would otherwise do alone while the other cores wait on
    /// the network or the disk: parsing a mailbox fetch, classifying it. The work is cut into one slice
    /// per core, so a slice's cost dwarfs the cost of the child task that runs it; a batch too small to
    /// be worth a second task is mapped in place.
    public func parallelMap<T: Sendable>(
        minimumPerTask: Int = 4, _ transform: @escaping @Sendable (Element) -> T
    ) async -> [T] {
        let slices = Swift.min(ProcessInfo.processInfo.activeProcessorCount, count / Swift.max(minimumPerTask, 1))
        guard slices > 1 else { return map(transform) }
        let size = (count + slices - 1) / slices
        return await withTaskGroup(of: (Int, [T]).self) { group in
            for start in stride(from: 0, to: count, by: size) {
                let slice = self[start..<Swift.min(start + size, count)]
                group.addTask { (start, slice.map(transform)) }
            }
            var parts: [(Int, [T])] = []
            for await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }
}
