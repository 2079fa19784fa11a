import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// Files: kept with their message in its transaction, served back byte for byte with their conversation,
    /// agents' uploads tied to replies, and purged with what refers to them and not before.
    @Suite("Attachments")
    struct Attachments {
        typealias R = ContractRequests

        static let photo = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 300))
        static let invoice = Data("%PDF-1.7\n发票\n%%EOF\n".utf8)

        static func file(_ name: String, _ type: String, _ content: Data, inline: Bool = false) -> MessageAttachment {
            MessageAttachment(name: name, contentType: type, size: content.count, inline: inline, content: content)
        }

        static func message(_ externalID: String, minute: Double = 0, files: [MessageAttachment]) -> IngestRequest {
            // A customer per message, so each starts its own conversation.
            var inbound = R.inbound("\(externalID)@example.com", minute: minute, externalID: externalID)
            inbound.attachments = files
            return R.request(inbound)
        }

        @Test("a message's files are kept with it: listed with ids, hashes and detected types, served back byte for byte with their conversation; a refused file stays listed without bytes", arguments: StoreFactory.all)
        func keptWithTheMessage(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let refused = Self.file("huge.mov", "video/quicktime", Data()).refused(AttachmentRefusal(code: "too_large", message: "over the limit"))
                let result = try await store.ingest(Self.message("m1", files: [
                    Self.file("照片.png", "image/png", Self.photo, inline: true), Self.file("发票.pdf", "application/pdf", Self.invoice), refused,
                ]))
                let detail = try #require(try await store.conversationDetail(id: result.conversationID, page: ConversationDetailPage()))
                let listed = try #require(detail.messages.first).attachments
                #expect(listed.map(\.name) == ["照片.png", "发票.pdf", "huge.mov"])
                #expect(listed.map(\.detectedType) == ["png", "pdf", nil])
                #expect(listed[0].inline && !listed[1].inline)
                #expect(listed[2].id == nil && listed[2].refusal?.code == "too_large")
                #expect(listed.allSatisfy { $0.content == nil })
                let photoID = try #require(listed[0].id), invoiceID = try #require(listed[1].id)
                #expect(photoID != invoiceID)
                let served = try #require(try await store.attachment(id: invoiceID))
                #expect(served.attachment.content == Self.invoice)
                #expect(served.attachment.name == "发票.pdf")
                #expect(served.attachment.sha256 == "\(listed[1].sha256 ?? "")" && listed[1].sha256?.count == 64)
                #expect(served.conversation?.id == result.conversationID)
                #expect(served.uploadedBy == nil)
                #expect(try await store.attachment(id: "att_missing") == nil)

                // The sender's retry of the same message keeps nothing twice.
                let again = try await store.ingest(Self.message("m1", files: [Self.file("照片.png", "image/png", Self.photo)]))
                #expect(again.duplicate)
                let after = try #require(try await store.conversationDetail(id: result.conversationID, page: ConversationDetailPage()))
                #expect(after.messages.count == 1)
            }
        }

        @Test("an agent's upload goes out with the reply that names it, bytes and order kept; an unknown id or another conversation's upload queues nothing", arguments: StoreFactory.all)
        func uploadsGoWithReplies(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let first = try await store.ingest(R.request(R.inbound("gus@example.com", externalID: "g1")))
                let other = try await store.ingest(R.request(R.inbound("hal@example.com", externalID: "h1")))
                let label = try await store.storeUpload(Self.file("退货标签.pdf", "application/pdf", Self.invoice), uploadedBy: "alice", at: R.at(minute: 1))
                let picture = try await store.storeUpload(Self.file("说明.png", "image/png", Self.photo), uploadedBy: "alice", at: R.at(minute: 1))
                let labelID = try #require(label.id), pictureID = try #require(picture.id)
                #expect(label.content == nil && label.size == Self.invoice.count && label.detectedType == "pdf")
                let unlinked = try #require(try await store.attachment(id: labelID))
                #expect(unlinked.conversation == nil && unlinked.uploadedBy == "alice")

                let reply = PendingReply(script: nil, body: "附件是退货标签", automatic: false, attachmentIDs: [pictureID, labelID])
                guard case let .created(entry) = try await store.enqueueReply(
                    reply, conversationID: first.conversationID, author: "alice", idempotencyKey: nil, requestFingerprint: nil, at: R.at(minute: 2))
                else { Issue.record("not created"); return }
                #expect(try await store.attachment(id: labelID)?.conversation?.id == first.conversationID)
                // The entry lists its files, without their bytes, wherever it is shown.
                #expect(entry.attachments?.map(\.id) == [pictureID, labelID])
                #expect(entry.attachments?.map(\.name) == ["说明.png", "退货标签.pdf"])
                #expect(entry.attachments?.allSatisfy { $0.content == nil } == true)
                #expect(try await store.outboxEntry(id: entry.id)?.attachments?.map(\.id) == [pictureID, labelID])
                let shown = try #require(try await store.conversationDetail(id: first.conversationID, page: ConversationDetailPage()))
                #expect(shown.outbox.first { $0.id == entry.id }?.attachments?.map(\.detectedType) == ["png", "pdf"])

                // The same upload for another conversation's reply: refused, and nothing is queued there.
                await #expect(throws: SwitchboardError.self) {
                    _ = try await store.enqueueReply(
                        PendingReply(script: nil, body: "x", automatic: false, attachmentIDs: [labelID]), conversationID: other.conversationID,
                        author: "alice", idempotencyKey: nil, requestFingerprint: nil, at: R.at(minute: 3))
                }
                await #expect(throws: SwitchboardError.self) {
                    _ = try await store.enqueueReply(
                        PendingReply(script: nil, body: "x", automatic: false, attachmentIDs: ["att_nothing"]), conversationID: other.conversationID,
                        author: "alice", idempotencyKey: nil, requestFingerprint: nil, at: R.at(minute: 3))
                }
                let otherDetail = try #require(try await store.conversationDetail(id: other.conversationID, page: ConversationDetailPage()))
                #expect(otherDetail.outbox.isEmpty)

                let claimed = try await store.claimDueOutbox(now: R.at(minute: 4), limit: 10)
                let delivery = try #require(claimed.first { $0.entry.id == entry.id })
                #expect(delivery.attachments.map(\.id) == [pictureID, labelID])
                #expect(delivery.attachments.map(\.content) == [Self.photo, Self.invoice])
                #expect(delivery.attachments.map(\.name) == ["说明.png", "退货标签.pdf"])
            }
        }

        @Test("a purge takes files with their messages and stale uploads, never bytes something still refers to", arguments: StoreFactory.all)
        func purge(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                let year: TimeInterval = 365 * 86_400
                // An old message with the photo, and a recent one with the same photo: one copy of its bytes.
                let old = try await store.ingest(Self.message("old", files: [Self.file("a.png", "image/png", Self.photo)]))
                let recent = try await store.ingest(Self.message("new", minute: 2 * year / 60, files: [Self.file("b.png", "image/png", Self.photo)]))
                // An old message with the invoice, also uploaded by an agent for a pending reply.
                let invoiceMessage = try await store.ingest(Self.message("inv", minute: 1, files: [Self.file("c.pdf", "application/pdf", Self.invoice)]))
                let carried = try await store.storeUpload(Self.file("c.pdf", "application/pdf", Self.invoice), uploadedBy: "alice", at: R.at(minute: 1))
                _ = try await store.enqueueReply(
                    PendingReply(script: nil, body: "见附件", automatic: false, attachmentIDs: [try #require(carried.id)]),
                    conversationID: recent.conversationID, author: "alice", idempotencyKey: nil, requestFingerprint: nil, at: R.at(minute: 2))
                // An old upload no reply took.
                let stale = try await store.storeUpload(Self.file("d.txt", "text/plain", Data("draft".utf8)), uploadedBy: "alice", at: R.at(minute: 1))

                func fileIDs(_ conversationID: String) async throws -> [String] {
                    try #require(try await store.conversationDetail(id: conversationID, page: ConversationDetailPage())).messages
                        .flatMap(\.attachments).compactMap(\.id)
                }
                let oldID = try #require(try await fileIDs(old.conversationID).first)
                let recentID = try #require(try await fileIDs(recent.conversationID).first)
                let invoiceID = try #require(try await fileIDs(invoiceMessage.conversationID).first)

                let cutoff = R.start.addingTimeInterval(year)
                let counts = try await store.purge(before: cutoff, accessLogBefore: cutoff, uploadsBefore: cutoff)
                #expect(counts.attachments == 1)
                // d.txt's bytes; the photo and the invoice are still referred to.
                #expect(counts.attachmentBlobs == 1)
                #expect(try await store.attachment(id: oldID) == nil)
                #expect(try await store.attachment(id: invoiceID) == nil)
                #expect(try await store.attachment(id: try #require(stale.id)) == nil)
                #expect(try await store.attachment(id: recentID)?.attachment.content == Self.photo)
                #expect(try await store.attachment(id: try #require(carried.id))?.attachment.content == Self.invoice)
                // Nothing left to remove.
                let again = try await store.purge(before: cutoff, accessLogBefore: cutoff, uploadsBefore: cutoff)
                #expect(again.attachments == 0 && again.attachmentBlobs == 0)
            }
        }
    }
}
