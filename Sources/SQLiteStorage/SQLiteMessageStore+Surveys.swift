import Foundation
import SwitchboardCore

// STUB, replaced whole by the lead's survey store: MessageStore now includes SurveyStore (so the class
// conforms through its MessageStore conformance), and the build needs these until the SQLite
// implementation lands.
extension SQLiteMessageStore {
    public func survey(id: String) async throws -> Survey? { fatalError("lead implements") }

    public func openSurvey(channel: ChannelKind, source: String, customerAddress: String, at: Date) async throws -> Survey? {
        fatalError("lead implements")
    }

    public func recordSurveyAnswer(_ answer: SurveyAnswer) async throws -> SurveyAnswerResult { fatalError("lead implements") }

    public func recordSurveyComment(surveyID: String, comment: String, at: Date) async throws -> Bool { fatalError("lead implements") }

    public func surveyLinkKey() async throws -> [UInt8] { fatalError("lead implements") }
}
