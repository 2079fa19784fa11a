import Foundation
@testable import HTTPServer
import Testing

@Suite("Survey pages")
struct SurveyPageTests {
    static let form = SurveyPage.CommentForm(action: "/s/tok.en/comment", proof: "pr\"oof<x>", maximumLength: 2000)

    @Test("a recorded score is confirmed in the survey's language, with the comment form")
    func recorded() {
        let zh = SurveyPage(.recorded(score: 4, scale: 1...5, form: Self.form), language: .zh).html()
        #expect(zh.contains("<html lang=\"zh\">"))
        #expect(zh.contains("您的评分：4 分（1–5 分）已记录。"))
        #expect(!zh.contains("has been recorded"))
        let en = SurveyPage(.recorded(score: 9, scale: 0...10, form: Self.form), language: .en).html()
        #expect(en.contains("<html lang=\"en\">"))
        #expect(en.contains("Your score of 9 (on a scale of 0 to 10) has been recorded."))
        #expect(!en.contains("已记录"))
        for page in [zh, en] {
            #expect(page.contains("<form method=\"post\" action=\"/s/tok.en/comment\">"))
            #expect(page.contains("name=\"comment\""))
            #expect(page.contains("maxlength=\"2000\""))
            #expect(page.contains("<input type=\"hidden\" name=\"proof\" value=\"pr&quot;oof&lt;x&gt;\">"))
        }
    }

    @Test("values are escaped for text and attributes")
    func escaping() {
        #expect(SurveyPage.escape("<script>alert('x')</script> & \"q\"") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")
        let hostile = SurveyPage.CommentForm(action: "/s/\"><script>x</script>/comment", proof: "'", maximumLength: 10)
        let page = SurveyPage(.alreadyRecorded(score: 2, form: hostile), language: .en).html()
        #expect(!page.contains("<script"))
        #expect(page.contains("&lt;script&gt;"))
    }

    @Test("a page loads nothing: no script, no external resource, one inline style")
    func selfContained() {
        let contents: [SurveyPage.Content] = [
            .recorded(score: 5, scale: 1...5, form: Self.form), .alreadyRecorded(score: nil, form: nil), .closed, .outOfScale(scale: 1...5),
            .notFound, .commentSaved, .commentNotSaved, .formRefused, .commentRefused(.tooLong(maximum: 2000)), .commentRefused(.empty),
            .commentRefused(.controlCharacters), .unavailable,
        ]
        for content in contents {
            for language in [SurveyPage.Language.zh, .en, nil] {
                let page = SurveyPage(content, language: language).html()
                #expect(page.hasPrefix("<!DOCTYPE html>"))
                #expect(page.contains("<meta charset=\"utf-8\">"))
                for forbidden in ["<script", "src=", "href=", "http:", "https:", "@import", "url("] {
                    #expect(!page.contains(forbidden), "\(content) \(String(describing: language)): \(forbidden)")
                }
                #expect(page.components(separatedBy: "<style>").count == 2)
                #expect(page.contains("<h1>"))
            }
        }
    }

    @Test("already recorded says the first answer counts, and the form only when offered")
    func alreadyRecorded() {
        let withForm = SurveyPage(.alreadyRecorded(score: 3, form: Self.form), language: .zh).html()
        #expect(withForm.contains("以第一次评分为准"))
        #expect(withForm.contains("已记录的评分：3 分。"))
        #expect(withForm.contains("<form"))
        let without = SurveyPage(.alreadyRecorded(score: 3, form: nil), language: .en).html()
        #expect(without.contains("the first answer counts"))
        #expect(!without.contains("<form"))
    }

    @Test("a page for an unknown survey is in both languages")
    func bilingual() {
        let page = SurveyPage(.notFound, language: nil).html()
        #expect(page.contains("<section lang=\"zh\"><h1>链接无效</h1>"))
        #expect(page.contains("<section lang=\"en\"><h1>Link not valid</h1>"))
        #expect(page.contains("<title>链接无效 / Link not valid</title>"))
    }

    @Test("survey language tags map to the two page languages", arguments: [
        ("zh", SurveyPage.Language.zh), ("zh-Hant", .zh), ("ZH-cn", .zh), ("en", .en), ("en-GB", .en), ("fr", .en), ("", .en),
    ])
    func languages(_ tag: String, _ language: SurveyPage.Language) {
        #expect(SurveyPage.Language(tag: tag) == language)
    }
}

@Suite("Survey answers: request reading")
struct SurveyRequestTests {
    @Test("a comment is trimmed and kept up to 2000 characters, tabs and line breaks included")
    func comments() {
        #expect(API.surveyComment("  很好，谢谢\r\n第二行\t!  ") == .success("很好，谢谢\r\n第二行\t!"))
        #expect(API.surveyComment(String(repeating: "好", count: 2000)) == .success(String(repeating: "好", count: 2000)))
        #expect(API.surveyComment(String(repeating: "好", count: 2001)) == .failure(API.CommentRefusal(problem: .tooLong(maximum: 2000))))
        #expect(API.surveyComment(" \n ") == .failure(API.CommentRefusal(problem: .empty)))
        #expect(API.surveyComment(nil) == .failure(API.CommentRefusal(problem: .empty)))
        for control in ["\u{0}", "\u{7}", "\u{1B}[2J", "\u{7F}", "\u{85}"] {
            #expect(API.surveyComment("bad" + control + "bad") == .failure(API.CommentRefusal(problem: .controlCharacters)), "\(control.unicodeScalars.first!.value)")
        }
    }

    @Test("form bodies are percent-decoded, + is a space, the first of a repeated field counts")
    func formFields() {
        let body = Data("comment=%E5%BE%88%E5%A5%BD+ok%21&proof=abc_-&comment=second&empty=".utf8)
        #expect(API.formFields(body) == ["comment": "很好 ok!", "proof": "abc_-", "empty": ""])
        #expect(API.formFields(Data("comment=%E5%BE".utf8)) == nil)
        #expect(API.formFields(Data("comment=%ZZ".utf8)) == nil)
        #expect(API.formFields(Data([0xFF, 0xFE])) == nil)
        #expect(API.formFields(Data()) == [:])
    }

    @Test("a link's score is one or two ASCII digits", arguments: [("5", 5), ("0", 0), ("10", 10), ("05", 5)])
    func linkScores(_ text: String, _ score: Int) {
        #expect(API.linkScore(text) == score)
    }

    @Test("anything else in a link's score place is not a score", arguments: ["", "100", "-1", "+5", "５", "五", "5 ", "1e1", "0x5"])
    func notLinkScores(_ text: String) {
        #expect(API.linkScore(text) == nil)
    }

    @Test("the API body: a whole-number score and an optional comment")
    func apiBody() throws {
        #expect(try API.decodeSurveyAnswer(Data(#"{"score": 5}"#.utf8)) == API.SurveyAnswerRequest(score: 5, comment: nil))
        #expect(try API.decodeSurveyAnswer(Data(#"{"score": 1, "comment": " slow \n"}"#.utf8)) == API.SurveyAnswerRequest(score: 1, comment: "slow"))
        #expect(try API.decodeSurveyAnswer(Data(#"{"score": 2, "comment": "  "}"#.utf8)) == API.SurveyAnswerRequest(score: 2, comment: nil))
        #expect(try API.decodeSurveyAnswer(Data(#"{"score": 2, "comment": null}"#.utf8)) == API.SurveyAnswerRequest(score: 2, comment: nil))
        // Out of scale is for the route to decide, against the survey's kind.
        #expect(try API.decodeSurveyAnswer(Data(#"{"score": 42}"#.utf8)).score == 42)
    }

    static let refusedBodies: [(String, String)] = [
        (#"{}"#, "field 'score' is required"),
        (#"{"score": "5"}"#, "field 'score' must be a whole number"),
        (#"{"score": 4.5}"#, "field 'score' must be a whole number"),
        (#"{"score": true}"#, "field 'score' must be a whole number"),
        (#"{"score": 5, "rating": 5}"#, "unknown field 'rating'"),
        (#"{"score": 5, "comment": 7}"#, "field 'comment' must be a string"),
        (#"{"score": 5, "comment": "a\u0000b"}"#, "control character"),
        (#"[5]"#, "body must be a JSON object"),
        (#"{"score": 5"#, "not valid JSON"),
    ]

    @Test("a body that is not a survey answer is refused with 400 and says why", arguments: refusedBodies)
    func refusedBody(_ body: String, _ message: String) {
        do {
            _ = try API.decodeSurveyAnswer(Data(body.utf8))
            Issue.record("accepted \(body)")
        } catch let error as APIError {
            #expect(error.status == .badRequest)
            #expect(error.message.contains(message), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("a comment of 2001 characters in the API body is refused")
    func apiCommentTooLong() {
        let body = Data(("{\"score\": 5, \"comment\": \"" + String(repeating: "x", count: 2001) + "\"}").utf8)
        #expect(throws: APIError.self) { try API.decodeSurveyAnswer(body) }
    }

    @Test("survey tokens in paths are not logged", arguments: [
        ("/s/AQAAAABrSf.abc/5", "/s/{token}/5"), ("/s/AQAAAABrSf.abc/comment", "/s/{token}/comment"),
        ("/v1/surveys/AQAAAABrSf.abc", "/v1/surveys/{token}"), ("/v1/outbox/out_1", "/v1/outbox/out_1"), ("/s", "/s"),
    ])
    func loggedPath(_ path: String, _ logged: String) {
        #expect(RequestLogMiddleware.loggedPath(path) == logged)
    }
}
