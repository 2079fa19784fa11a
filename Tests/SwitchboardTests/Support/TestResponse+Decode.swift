import Foundation
import HummingbirdTesting
import Testing

extension TestResponse {
    /// The body decoded as one of the API's answers (see `APIAnswers.swift`); a body that does not decode
    /// fails the test, naming the type and the body's first bytes.
    func decode<Answer: Decodable>(_ type: Answer.Type, sourceLocation: SourceLocation = #_sourceLocation) throws -> Answer {
        try APIAnswers.decode(type, from: Data(buffer: body), sourceLocation: sourceLocation)
    }
}
