import Foundation
import SwitchboardCore

/// Delivers a reply by appending `<recipient>\t<body>` to its source's transcript file.
struct ChatOutboundChannel: OutboundChannel {
    let transcripts: [String: String]

    init(sources: [ChatSource]) {
        transcripts = Dictionary(uniqueKeysWithValues: sources.map { ($0.id, $0.transcript) })
    }

    var kind: ChannelKind { "chat" }

    func deliver(_ entry: OutboxEntry, conversation: Conversation, replyingTo: Message?) async -> DeliveryOutcome {
        guard let path = transcripts[entry.source] else { return .failed(error: "no chat source named \(entry.source)") }
        let line = Data("\(entry.recipient)\t\(entry.body.replacingOccurrences(of: "\n", with: " "))\n".utf8)
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return .retry(error: "transcript cannot be opened", after: nil) }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
            return .delivered(detail: nil)
        } catch {
            return .retry(error: "transcript cannot be written", after: nil)
        }
    }

    func validateReply(_ body: String, source: String) throws(SwitchboardError) {
        if body.count > 500 { throw SwitchboardError(.replyTooLong, "a chat reply holds at most 500 characters") }
    }
}
