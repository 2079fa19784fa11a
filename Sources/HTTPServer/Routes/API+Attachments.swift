import Attachments
import Foundation
import Hummingbird
import Mail
import SwitchboardCore

extension API {
    /// `GET /v1/attachments/{id}`: a kept file, to a token that may see its conversation (an upload no reply
    /// took yet: to its uploader, supervisors and ops). The type is what the bytes are, never the sender's
    /// word; only raster images are shown inline, everything else is a download, and the page a browser
    /// might still make of it runs sandboxed, without script.
    func serveAttachment(context: SwitchboardRequestContext) async throws -> Response {
        guard let identity = context.identity else { throw APIError.unauthorized }
        let id = context.parameters.get("id") ?? ""
        let missing = APIError.notFound("attachment '\(id.excerptForMessage())' does not exist")
        guard let stored = try await store.attachment(id: id), let content = stored.attachment.content else { throw missing }
        if let conversation = stored.conversation {
            guard identity.covers(conversation) else { throw missing }
        } else if stored.uploadedBy != identity.id, identity.role == .agent {
            throw missing
        }
        // The type was read from the bytes when the file was kept; a row without it is read again.
        let sniffed = stored.attachment.detectedType.flatMap(SniffedType.init(rawValue:)) ?? ContentSniffer.sniff(content)
        let disposition = sniffed.isInlineSafe ? "inline" : "attachment"
        var headers: HTTPFields = [
            .contentType: sniffed.servedMediaType,
            .contentDisposition: Self.contentDisposition(disposition, filename: stored.attachment.name ?? "attachment"),
            .xContentTypeOptions: "nosniff",
            .contentSecurityPolicy: "sandbox; default-src 'none'",
            .cacheControl: "private, no-store",
        ]
        if let sha256 = stored.attachment.sha256 { headers[.eTag] = "\"\(sha256)\"" }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: content)))
    }

    /// `POST /v1/attachments`: an agent's file for a reply, as `multipart/form-data` (the first file
    /// part) or as the raw body with its `Content-Type` and a name from `Content-Disposition` or
    /// `?filename=`. Answers 201 with its id, which `POST /v1/outbox` lists under `attachments`; an upload
    /// no reply takes within a day is purged.
    func uploadAttachment(_ request: Request, context: SwitchboardRequestContext) async throws -> Response {
        guard let identity = context.identity else { throw APIError.unauthorized }
        let limit = configuration.maxUploadBytes
        let declared = request.headers[.contentType] ?? ""
        let parameters = ParameterizedValue(declared)
        let mediaType = parameters.value
        // Multipart framing costs a little beyond the file itself.
        let body = try await request.collectBody(limit: mediaType == "multipart/form-data" ? limit + 64 * 1024 : limit)
        var filename: String?, contentType: String, content: Data
        if mediaType == "multipart/form-data" {
            let file = try MultipartFormData.firstFile(in: body, boundary: parameters["boundary"] ?? "")
            guard file.content.count <= limit else {
                throw APIError(.contentTooLarge, code: "body_too_large", "the file is \(file.content.count) bytes; the limit is \(limit)")
            }
            (filename, contentType, content) = (file.filename, file.contentType ?? "application/octet-stream", file.content)
        } else {
            guard !mediaType.isEmpty else {
                throw APIError(
                    .unsupportedMediaType, code: "unsupported_media_type",
                    "Content-Type is missing; send multipart/form-data or the file's own type with the file as the body")
            }
            filename = request.uri.queryParameters.get("filename")
                ?? request.headers[.contentDisposition].flatMap { ParameterizedValue($0)["filename"] }
            (contentType, content) = (mediaType, body)
        }
        guard !content.isEmpty else { throw APIError.badRequest("the file is empty") }
        let name = try filename.map { try Self.uploadName($0) }
        let upload = MessageAttachment(name: name, contentType: Self.declaredType(contentType), size: content.count, content: content)
        let kept: MessageAttachment
        do {
            kept = try await store.storeUpload(upload, uploadedBy: identity.id, at: now())
        } catch {
            context.logger.error("upload not committed", metadata: ["error.type": "\(type(of: error))"])
            throw APIError.storageUnavailable()
        }
        context.logger.info("attachment uploaded", metadata: [
            "attachment.id": "\(kept.id ?? "-")", "attachment.size": "\(kept.size)", "attachment.detected_type": "\(kept.detectedType ?? "-")",
            "agent.id": "\(identity.id)",
        ])
        return try JSONBody.response(kept, status: .created, headers: [.location: "/v1/attachments/\(kept.id ?? "")"])
    }

    /// A file name as shown and sent on: no path, no control characters, at most 255 characters.
    static func uploadName(_ raw: String) throws -> String {
        let base = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        guard !raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw APIError.badRequest("the file name holds a control character")
        }
        let trimmed = base.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed != ".", trimmed != ".." else { throw APIError.badRequest("the file name is empty") }
        return String(trimmed.prefix(255))
    }

    /// The declared type as a plain `type/subtype`, or `application/octet-stream` when it is not one.
    static func declaredType(_ raw: String) -> String {
        let value = (raw.split(separator: ";").first.map(String.init) ?? "").trimmingWhitespace().lowercased()
        let pieces = value.split(separator: "/", omittingEmptySubsequences: false)
        let token = { (piece: Substring) in !piece.isEmpty && piece.count <= 127 && piece.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "!#$&-^_.+".contains($0)) } }
        return pieces.count == 2 && token(pieces[0]) && token(pieces[1]) ? value : "application/octet-stream"
    }

    /// `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266, RFC 8187), so
    /// a Chinese name survives in every browser and a quote or line break in it cannot end the field.
    static func contentDisposition(_ kind: String, filename: String) -> String {
        let fallback = String(filename.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" && $0.value != 0x7F ? Character($0) : "_" })
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(0x80)))
        allowed.insert(charactersIn: "!#$&+-.^_`|~")
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: allowed) ?? fallback
        return "\(kind); filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }
}
