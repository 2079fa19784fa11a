import Foundation
import Mail

/// The first file of a `multipart/form-data` body (RFC 7578), as a browser's upload form sends it: its
/// field's bytes, declared type and file name. Linear in the body: each delimiter is found once.
struct MultipartFormData {
    struct File {
        var filename: String?
        var contentType: String?
        var content: Data
    }

    /// The file part (the one with a `filename`, else the one named `file`) or an error naming what is wrong.
    static func firstFile(in body: Data, boundary: String) throws -> File {
        guard !boundary.isEmpty, boundary.utf8.count <= 70 else {
            throw APIError.badRequest("multipart/form-data needs a boundary of 1 to 70 characters")
        }
        let delimiter = Data("--\(boundary)".utf8)
        let separator = Data("\r\n\r\n".utf8)
        var fallback: File?
        guard var start = body.range(of: delimiter)?.upperBound else {
            throw APIError.badRequest("the multipart body holds no part delimited by its boundary")
        }
        let nextDelimiter = Data("\r\n--\(boundary)".utf8)
        while true {
            // After a delimiter: "--" closes the body, otherwise a line break opens a part.
            if body[start...].starts(with: Data("--".utf8)) { break }
            guard let headersStart = body.range(of: Data("\r\n".utf8), in: start..<body.endIndex)?.upperBound,
                  let headersEnd = body.range(of: separator, in: (headersStart - 2)..<body.endIndex)
            else { throw APIError.badRequest("a multipart part has no header section") }
            guard headersEnd.lowerBound - headersStart <= 16 * 1024 else {
                throw APIError.badRequest("a multipart part's header section is over 16384 bytes")
            }
            let headers = String(decoding: body[headersStart..<headersEnd.lowerBound], as: UTF8.self)
            guard let end = body.range(of: nextDelimiter, in: headersEnd.upperBound..<body.endIndex) else {
                throw APIError.badRequest("a multipart part is not closed by its boundary")
            }
            var disposition: ParameterizedValue?, contentType: String?
            for line in headers.split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                if name == "content-disposition" { disposition = ParameterizedValue(value) }
                if name == "content-type" { contentType = value }
            }
            let file = File(filename: disposition?["filename"], contentType: contentType, content: Data(body[headersEnd.upperBound..<end.lowerBound]))
            if file.filename != nil { return file }
            if disposition?["name"] == "file", fallback == nil { fallback = file }
            start = end.upperBound
        }
        guard let fallback else { throw APIError.badRequest("the multipart body has no file part (a part with a filename, or one named 'file')") }
        return fallback
    }
}
