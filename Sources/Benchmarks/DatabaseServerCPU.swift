import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The CPU time the PostgreSQL server's processes on this machine have used, read from `/proc`: the database's
/// share of a benchmark that runs it on the same machine. Backends that end during a phase take their time with
/// them, so the figure is a floor; the benchmark's pool keeps its connections, and so its backends, throughout.
enum DatabaseServerCPU {
    /// User and system seconds of every process named `postgres`; 0 where there is no `/proc`.
    static func seconds() -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard ticks > 0, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
        var total = 0.0
        for entry in entries where entry.allSatisfy(\.isNumber) {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"),
                  stat[stat.index(after: open)..<close] == "postgres" else { continue }
            // After the command: state is field 3; utime and stime are fields 14 and 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            total += (user + system) / ticks
        }
        return total
    }
}
