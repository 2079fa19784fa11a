import Foundation
import Synchronization
import SwitchboardCore
import Testing

@Suite("parallelMap")
struct ParallelMapTests {
    @Test("maps every element once, in order, whatever the size of the batch", arguments: [0, 1, 3, 4, 7, 8, 50, 1_001])
    func mapsInOrder(count: Int) async {
        let calls = Mutex(0)
        let input = Array(0..<count)
        let output = await input.parallelMap { value -> String in
            calls.withLock { $0 += 1 }
            return "#\(value * 3)"
        }
        #expect(output == input.map { "#\($0 * 3)" })
        #expect(calls.withLock { $0 } == count)
    }

    @Test("a batch worth splitting runs on more than one task")
    func splits() async {
        let tasks = Mutex(Set<String>())
        _ = await Array(0..<64).parallelMap { value -> Int in
            // One task per core, as long as each gets at least four elements.
            withUnsafeCurrentTask { task in _ = tasks.withLock { $0.insert(task.map { "\($0.hashValue)" } ?? "none") } }
            return value
        }
        #expect(tasks.withLock { $0.count } == min(ProcessInfo.processInfo.activeProcessorCount, 16))
    }
}
