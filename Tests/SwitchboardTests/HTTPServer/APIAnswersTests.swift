import Foundation
import Testing

/// The typed answers the end-to-end tests decode are strict: a field the API stops sending or renames
/// fails the test, and the failure names the type, the field and the body.
@Suite("Typed API answers in tests")
struct APIAnswersTests {
    @Test("a complete answer decodes")
    func complete() throws {
        let body = Data(#"{"conversation_id":"conv_1","duplicate":true,"message_id":"msg_1"}"#.utf8)
        let answer = try APIAnswers.decode(WebhookAcceptance.self, from: body)
        #expect(answer.conversationID == "conv_1" && answer.duplicate && answer.messageID == "msg_1")
    }

    @Test("a renamed field fails the test, naming the type, the missing field and the body", arguments: [
        #"{"conversation_id":"conv_1","duplicate":false,"messageId":"msg_1"}"#,
        #"{"conversation_id":"conv_1","duplicate":false}"#,
    ])
    func renamedField(body: String) throws {
        try withKnownIssue {
            _ = try APIAnswers.decode(WebhookAcceptance.self, from: Data(body.utf8))
        } matching: { issue in
            let text = issue.comments.map(\.rawValue).joined()
            return text.contains("WebhookAcceptance") && text.contains("'message_id' is missing") && text.contains("conv_1")
        }
    }

    @Test("a field of the wrong type fails the test, naming where it is")
    func wrongType() throws {
        try withKnownIssue {
            _ = try APIAnswers.decode(QueueList.self, from: Data(#"{"queues":[{"id":"general","name":"General","open":"1","overdue":0}]}"#.utf8))
        } matching: { issue in
            issue.comments.map(\.rawValue).joined().contains("'queues[0].open' is not Int")
        }
    }

    @Test("JSONValue tells an absent key from a present one and keeps strings, numbers and booleans apart")
    func jsonValue() throws {
        let value = try APIAnswers.decode(JSONValue.self, from: Data(#"{"a":"x","b":1,"c":true,"d":null,"e":[1.5]}"#.utf8))
        #expect(value["a"]?.string == "x")
        #expect(value["b"] == .number(1) && value["c"] == .bool(true) && value["d"] == .null)
        #expect(value["missing"] == nil)
        #expect(value.description == #"{"a":"x","b":1,"c":true,"d":null,"e":[1.5]}"#)
    }
}
