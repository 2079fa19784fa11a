import Gateway
import Logging
import Synchronization
import Testing

@Suite("Log escaping")
struct EscapingLogHandlerTests {
    /// Keeps what reaches it, as a stream handler would write it.
    struct Recorder: LogHandler {
        let sink: Sink
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            let rendered = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            sink.lines.withLock { $0.append("\(event.level) \(event.message) \(rendered)") }
        }
    }

    final class Sink: Sendable {
        let lines = Mutex<[String]>([])
    }

    @Test("values from a request cannot start a line of their own")
    func forgedLines() {
        let sink = Sink()
        var logger = Logger(label: "test") { _ in
            EscapingLogHandler(wrapping: Recorder(sink: sink))
        }
        let forged = "x\n2026-12-02T10:00:00+0000 critical switchboard : FORGED"
        logger[metadataKey: "agent.id"] = "\(forged)"
        logger.notice("request refused: unknown field '\(forged)'", metadata: [
            "error": "\(forged)", "nested": ["list": ["\u{1B}[31mred", "\u{2028}sep"]],
        ])
        let lines = sink.lines.withLock { $0 }
        #expect(lines.count == 1)
        let line = lines[0]
        #expect(!line.contains("\n"))
        #expect(!line.contains("\u{1B}"))
        #expect(!line.contains("\u{2028}"))
        #expect(line.contains(#"x\n2026-12-02T10:00:00+0000 critical"#))
        #expect(line.contains(#"\u{1B}[31mred"#))
        // Plain text, including Chinese, passes untouched.
        logger.info("消息已接收 ok")
        #expect(sink.lines.withLock { $0.last }?.hasPrefix("info 消息已接收 ok") == true)
    }
}
