import Foundation
import Hummingbird
import SwitchboardCore

extension Request {
    /// Refuses a body whose `Content-Type` is not one of `accepted` (parameters such as `charset` aside)
    /// with 415, before the body is read.
    ///
    /// Besides naming a client's mistake, this closes a door: a web page can make a visitor's browser
    /// post `text/plain`, form or multipart bodies anywhere without a CORS preflight, but never
    /// `application/json` or `message/rfc822`. Requiring those keeps drive-by posts out of unsigned sources.
    func requireMediaType(_ accepted: [String]) throws {
        let declared = headers[.contentType] ?? ""
        let mediaType = declared.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard !accepted.contains(mediaType) else { return }
        let expected = accepted.joined(separator: " or ")
        throw APIError(
            .unsupportedMediaType, code: "unsupported_media_type",
            declared.isEmpty
                ? "Content-Type is missing; this endpoint takes \(expected)"
                : "Content-Type '\(declared.excerptForMessage())' is not accepted; this endpoint takes \(expected)")
    }
}
