import Foundation
import Hummingbird

extension Request {
    /// The whole body, refused with 413 as soon as it passes `limit` bytes (by Content-Length up front,
    /// or while streaming), so an oversized upload is never buffered.
    func collectBody(limit: Int) async throws -> Data {
        if let length = headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(.contentTooLarge, code: "body_too_large", "request body is \(length) bytes; the limit is \(limit)")
        }
        var data = Data()
        for try await chunk in body {
            if data.count + chunk.readableBytes > limit {
                throw APIError(.contentTooLarge, code: "body_too_large", "request body exceeds the limit of \(limit) bytes")
            }
            data.append(contentsOf: chunk.readableBytesView)
        }
        return data
    }
}
