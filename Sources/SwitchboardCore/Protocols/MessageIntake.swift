/// Where channel adapters hand what they received: classified, routed and committed in one step.
/// When ``accept(_:)`` returns the message is durable and may be acknowledged to its sender.
public protocol MessageIntake: Sendable {
    func accept(_ message: InboundMessage) async throws -> IngestResult

    /// Accepts messages that arrived together and in order (one mailbox fetch), committing them in as
    /// few transactions as their order allows, with the same outcome for each as ``accept(_:)`` one after
    /// the other.
    ///
    /// - Returns: one result per message, in order: the messages that were committed, then, from the
    ///   first that was not, failures only. A message is never committed after one before it failed, so
    ///   a cursor carried by the messages never passes an uncommitted one.
    func accept(batch messages: [InboundMessage]) async -> [Result<IngestResult, any Error>]
}

extension MessageIntake {
    /// One message after the other, stopping at the first failure: for intakes that cannot do better.
    public func accept(batch messages: [InboundMessage]) async -> [Result<IngestResult, any Error>] {
        var results: [Result<IngestResult, any Error>] = []
        results.reserveCapacity(messages.count)
        for message in messages {
            do {
                results.append(.success(try await accept(message)))
            } catch {
                results.append(.failure(error))
                break
            }
        }
        while results.count < messages.count { results.append(.failure(SwitchboardError.notAttempted)) }
        return results
    }
}

extension SwitchboardError {
    /// The answer for a message of a batch that was not tried because one before it failed.
    public static let notAttempted = SwitchboardError(.storageFailure, "not stored: an earlier message of its batch was not stored")
}
