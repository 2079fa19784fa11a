/// A reply to be put in the outbox, already rendered.
public struct PendingReply: Sendable, Equatable {
    public var script: String?
    public var body: String
    public var automatic: Bool
    /// Set when the reply must wait for a supervisor's approval (`approval.yaml`) instead of going out at once.
    public var approval: ApprovalHold?
    /// Agents' uploads (``AttachmentStore/storeUpload(_:uploadedBy:at:)``) the reply carries, in order.
    public var attachmentIDs: [String]

    public init(script: String?, body: String, automatic: Bool, approval: ApprovalHold? = nil, attachmentIDs: [String] = []) {
        self.attachmentIDs = attachmentIDs
        self.script = script
        self.body = body
        self.automatic = automatic
        self.approval = approval
    }
}
