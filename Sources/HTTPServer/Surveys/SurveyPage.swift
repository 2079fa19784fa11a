/// The pages a customer sees after clicking a survey link or sending its comment form: plain HTML in
/// the survey's language, every value escaped, no script, no external resource and one small inline
/// style (the routes send a CSP that allows nothing else).
public struct SurveyPage: Sendable, Equatable {
    /// The languages the pages are written in.
    public enum Language: String, Sendable, CaseIterable {
        case zh, en

        /// The page language for a survey's language tag (`zh`, `zh-Hant`, `en-GB`); English for any
        /// other, since the pages exist in these two only.
        public init(tag: String) {
            self = tag.lowercased().hasPrefix("zh") ? .zh : .en
        }
    }

    /// The comment form offered under a recorded score.
    public struct CommentForm: Sendable, Equatable {
        /// Where it posts: `/s/{token}/comment`.
        public var action: String
        /// The hidden CSRF proof (``Signing/SurveyToken/commentProof(token:key:)``).
        public var proof: String
        public var maximumLength: Int

        public init(action: String, proof: String, maximumLength: Int) {
            self.action = action
            self.proof = proof
            self.maximumLength = maximumLength
        }
    }

    /// Why a comment was refused before the store saw it.
    public enum CommentProblem: Sendable, Equatable {
        case empty
        case tooLong(maximum: Int)
        case controlCharacters
    }

    public enum Content: Sendable, Equatable {
        /// The score was recorded now.
        case recorded(score: Int, scale: ClosedRange<Int>, form: CommentForm?)
        /// The survey had its answer already (the first counts); `score` is that first answer.
        case alreadyRecorded(score: Int?, form: CommentForm?)
        /// The answer window closed, or the survey was withdrawn.
        case closed
        /// The score in the link is not one of the survey's.
        case outOfScale(scale: ClosedRange<Int>)
        /// Not a link of ours, or the survey no longer exists.
        case notFound
        case commentSaved
        /// There is a comment already, or no score to comment on.
        case commentNotSaved
        /// The form's proof does not belong to this link.
        case formRefused
        case commentRefused(CommentProblem)
        /// The store could not be reached; nothing was recorded.
        case unavailable
    }

    public var content: Content
    /// Nil when the survey is not known (a broken link): the page is then in both languages.
    public var language: Language?

    public init(_ content: Content, language: Language?) {
        self.content = content
        self.language = language
    }

    /// The whole document.
    public func html() -> String {
        let languages = language.map { [$0] } ?? [.zh, .en]
        let title = languages.map { Self.text(content, $0).title }.joined(separator: " / ")
        var body = ""
        for language in languages {
            let text = Self.text(content, language)
            body += "<section lang=\"\(language.rawValue)\"><h1>\(Self.escape(text.title))</h1>"
            for paragraph in text.paragraphs { body += "<p>\(Self.escape(paragraph))</p>" }
            if let form = Self.form(content) { body += Self.formHTML(form, language) }
            body += "</section>"
        }
        return """
            <!DOCTYPE html>
            <html lang="\(languages[0].rawValue)"><head><meta charset="utf-8">\
            <meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow">\
            <title>\(Self.escape(title))</title><style>\(Self.style)</style></head>
            <body><main>\(body)</main></body></html>

            """
    }

    static let style = """
        body{margin:0;background:#f4f5f7;color:#1d2330;font:16px/1.6 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif}\
        main{max-width:34rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12)}\
        section+section{margin-top:2rem;padding-top:1.5rem;border-top:1px solid #e2e4e8}\
        h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:1.25rem 0 .5rem}\
        textarea{box-sizing:border-box;width:100%;font:inherit;padding:.5rem}\
        button{margin-top:.75rem;padding:.5rem 1.5rem;font:inherit;border:0;border-radius:4px;background:#2f5fd0;color:#fff}
        """

    private static func form(_ content: Content) -> CommentForm? {
        switch content {
        case let .recorded(_, _, form), let .alreadyRecorded(_, form): form
        default: nil
        }
    }

    private static func formHTML(_ form: CommentForm, _ language: Language) -> String {
        let label = language == .zh
            ? "还有什么想告诉我们的吗？（选填，最多 \(form.maximumLength) 字）"
            : "Anything else you would like to tell us? (optional, up to \(form.maximumLength) characters)"
        let button = language == .zh ? "提交" : "Send"
        let id = "comment-\(language.rawValue)"
        return "<form method=\"post\" action=\"\(escape(form.action))\">"
            + "<input type=\"hidden\" name=\"proof\" value=\"\(escape(form.proof))\">"
            + "<label for=\"\(id)\">\(escape(label))</label>"
            + "<textarea id=\"\(id)\" name=\"comment\" rows=\"5\" maxlength=\"\(form.maximumLength)\"></textarea>"
            + "<button type=\"submit\">\(escape(button))</button></form>"
    }

    /// The title and paragraphs of a page in one language.
    static func text(_ content: Content, _ language: Language) -> (title: String, paragraphs: [String]) {
        let zh = language == .zh
        switch content {
        case let .recorded(score, scale, _):
            return zh
                ? ("感谢您的评价", ["您的评分：\(score) 分（\(scale.lowerBound)–\(scale.upperBound) 分）已记录。"])
                : ("Thank you for your answer", ["Your score of \(score) (on a scale of \(scale.lowerBound) to \(scale.upperBound)) has been recorded."])
        case let .alreadyRecorded(score, _):
            let recorded = score.map { zh ? "已记录的评分：\($0) 分。" : "The score recorded is \($0)." }
            return zh
                ? ("您已评过分", ["您对本次服务的评价已经记录，以第一次评分为准。"] + (recorded.map { [$0] } ?? []))
                : ("Already recorded", ["Your answer to this survey was already recorded; the first answer counts."] + (recorded.map { [$0] } ?? []))
        case .closed:
            return zh
                ? ("调查已结束", ["此满意度调查已关闭，无法再评分。感谢您的关注。"])
                : ("This survey has closed", ["This satisfaction survey no longer accepts answers. Thank you all the same."])
        case let .outOfScale(scale):
            return zh
                ? ("评分无效", ["评分应为 \(scale.lowerBound) 到 \(scale.upperBound) 之间的数字。请点击邮件中的评分链接。"])
                : ("Score not valid", ["A score is a number from \(scale.lowerBound) to \(scale.upperBound). Please use one of the links in the email."])
        case .notFound:
            return zh
                ? ("链接无效", ["此链接无效。请确认链接已完整复制。"])
                : ("Link not valid", ["This link is not valid. Please check that the whole link was copied."])
        case .commentSaved:
            return zh
                ? ("感谢您的留言", ["您的意见已转达给我们的团队。"])
                : ("Thank you for your comment", ["Your comment has been passed on to our team."])
        case .commentNotSaved:
            return zh
                ? ("留言未保存", ["此调查已有留言，或尚未评分。"])
                : ("Comment not saved", ["This survey has a comment already, or no score yet."])
        case .formRefused:
            return zh
                ? ("留言未保存", ["此表单已失效。请重新打开邮件中的链接后再留言。"])
                : ("Comment not saved", ["This form is no longer valid. Please open the link in the email again to leave a comment."])
        case let .commentRefused(problem):
            let reason = switch problem {
            case .empty: zh ? "留言为空。" : "The comment is empty."
            case let .tooLong(maximum): zh ? "留言过长，最多 \(maximum) 字。" : "The comment is too long; the limit is \(maximum) characters."
            case .controlCharacters: zh ? "留言包含无法保存的控制字符。" : "The comment holds control characters that cannot be saved."
            }
            return zh ? ("留言未保存", [reason + "请返回上一页修改后再提交。"]) : ("Comment not saved", [reason + " Please go back, change it and send it again."])
        case .unavailable:
            return zh
                ? ("暂时无法记录", ["您的回答未能保存。请在 1 分钟后再次点击邮件中的链接。"])
                : ("Not recorded", ["Your answer could not be saved. Please click the link in the email again in a minute."])
        }
    }

    /// Text for HTML content and double-quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
