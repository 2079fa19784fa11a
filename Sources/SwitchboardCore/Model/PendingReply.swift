/// A reply to be put in the outbox, already rendered.
public struct PendingReply: Sendable, Equatable {
    public var script: String?
    public var body: String
    public var automatic: Bool

    public init(script: String?, body: String, automatic: Bool) {
        self.script = script
        self.body = body
        self.automatic = automatic
    }
}
