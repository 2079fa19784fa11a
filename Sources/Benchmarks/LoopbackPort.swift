import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ports on 127.0.0.1 for the servers the benchmarks and the tests start themselves (Dovecot, Kannel, a
/// child gateway): one chooser for both.
public enum LoopbackPort {
    /// A TCP port on 127.0.0.1 that nothing listens on now, chosen below the kernel's ephemeral range.
    ///
    /// A port the kernel hands out for port 0 is free again once probed, and until the server that was
    /// meant for it binds it, any other port-0 listener or outgoing connection may be given it (Kannel's
    /// bearerbox panicked on such a theft). Below the ephemeral range only another explicit choice like
    /// this one can collide.
    public static func free() throws -> Int {
        let ephemeralStart = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
            .flatMap { $0.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } } ?? 32768
        let range = 10_000..<max(ephemeralStart, 20_000)
        for _ in 0..<500 {
            let port = Int.random(in: range)
            if canBind(port) { return port }
        }
        throw BenchmarkError("no free port on 127.0.0.1 in \(range)")
    }

    private static func canBind(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
