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
        do {
            for try await chunk in body {
                if data.count + chunk.readableBytes > limit {
                    throw APIError(.contentTooLarge, code: "body_too_large", "request body exceeds the limit of \(limit) bytes")
                }
                data.append(contentsOf: chunk.readableBytesView)
            }
        } catch let error as APIError {
            throw error
        } catch {
            // The HTTP parser failed on the body's framing (a chunk size that overflows, bare-LF chunk
            // lines): the client's fault, answered 400 rather than counted as a server error.
            throw APIError(.badRequest, code: "malformed_body", "the request body's framing is malformed (\(Self.framingProblem(error)))")
        }
        return data
    }

    /// The parser's name for what was wrong, without any of the request's bytes.
    static func framingProblem(_ error: any Error) -> String {
        let name = String(describing: error)
        return name.count <= 60 && name.allSatisfy({ $0.isLetter || $0.isNumber || "_.() ".contains($0) }) ? name : String(describing: type(of: error))
    }
}
