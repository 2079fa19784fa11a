import Foundation
import SwitchboardCore

extension ReplyComposer {
    /// The reply ``compose(_:)`` would commit for `request`, committing nothing: rendered by the same
    /// steps, with each refusal they would reach as a problem rather than an error.
    /// - Throws: ``SwitchboardError`` `not_found` for a conversation that does not exist, or a storage error.
    public func preview(_ request: Request) async throws -> ReplyPreview {
        guard let conversation = try await store.conversation(id: request.conversationID) else {
            throw SwitchboardError(.notFound, "conversation '\(request.conversationID.excerptForMessage())' does not exist")
        }
        var problems: [ReplyPreview.Problem] = []
        func noting(_ step: () async throws -> Void) async throws {
            do {
                try await step()
            } catch let error as SwitchboardError where error.code != .storageFailure {
                problems.append(ReplyPreview.Problem(error))
            }
        }
        var body: String?
        try await noting {
            if let script = request.script {
                body = try await renderStrictly(
                    script: script, variables: request.variables, for: conversation, author: request.author, authorName: request.authorName)
            } else {
                let text = (request.text ?? "").trimmingWhitespace()
                guard !text.isEmpty else { throw SwitchboardError(.invalidRequest, "the reply has no text") }
                body = text
                try rules.current.scripts.check(text: text)
            }
        }
        var approval: ApprovalHold?
        if let body {
            try await noting { try validator.validate(body, channel: conversation.channel, source: conversation.source) }
            try await noting {
                try validator.validateAttachments(count: request.attachmentIDs.count, channel: conversation.channel, source: conversation.source)
            }
            try await noting { approval = try approvalHold(for: body, variables: request.script == nil ? [:] : request.variables, at: now()) }
        }
        return ReplyPreview(
            text: body, channel: conversation.channel, sms: conversation.channel == .sms ? body.map(SMSSegments.init) : nil,
            problems: problems, approval: approval)
    }
}
