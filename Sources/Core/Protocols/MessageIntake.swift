/// Where channel adapters hand what they received: classified, routed and committed in one step.
/// When ``accept(_:)`` returns the message is durable and may be acknowledged to its sender.
public protocol MessageIntake: Sendable {
    func accept(_ message: InboundMessage) async throws -> IngestResult
}
