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
        let mediaType = declared.split(separator: ";", maxSplits: 1).first.map { Self.trimmingWhitespaces($0).lowercased() } ?? ""
        guard !accepted.contains(mediaType) else { return }
        let expected = accepted.joined(separator: " or ")
        throw APIError(
            .unsupportedMediaType, code: "unsupported_media_type",
            declared.isEmpty
                ? "Content-Type is missing; this endpoint takes \(expected)"
                : "Content-Type '\(declared.excerptForMessage())' is not accepted; this endpoint takes \(expected)")
    }

    /// `text` without the leading and trailing `CharacterSet.whitespaces`. A header written as usual has
    /// none: then Foundation's trim, which cost more per inbound message than routing the request, is
    /// skipped. In ASCII that set holds only space and tab, so an end that is printable ASCII other than
    /// space is never trimmed.
    static func trimmingWhitespaces(_ text: Substring) -> String {
        let isKept = { (scalar: Unicode.Scalar?) in scalar.map { (0x21...0x7E).contains($0.value) } ?? false }
        if isKept(text.unicodeScalars.first), isKept(text.unicodeScalars.last) { return String(text) }
        return text.trimmingCharacters(in: .whitespaces)
    }
}
