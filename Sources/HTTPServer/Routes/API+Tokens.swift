import Foundation
import Hummingbird

extension API {
    /// A token as `POST /v1/tokens/reload` shows it: what it grants, never its secret.
    struct TokenView: Encodable {
        var id: String
        var name: String
        var role: String
        var notAfter: Date?
        var sources: [String]?
        var queues: [String]?
    }

    /// A refused reload: the usual error object, and every problem with its position.
    struct RefusedReload: Encodable {
        var error: APIError.Body.Detail
        var problems: [String]
    }

    /// `POST /v1/tokens/reload`: reads the configuration file again and swaps in its tokens at once. A file
    /// with any problem changes nothing: 422 with the problems, and the tokens in force stay.
    func reloadTokensNow() throws -> Response {
        let problems = reloadTokens()
        guard problems.isEmpty else {
            let detail = APIError.Body.Detail(
                code: "invalid_configuration",
                message: "the configuration has \(problems.count) problem\(problems.count == 1 ? "" : "s"); the tokens in force are kept")
            return try JSONBody.response(RefusedReload(error: detail, problems: problems), status: .unprocessableContent)
        }
        let views = configuration.tokens.current.map {
            TokenView(id: $0.id, name: $0.name, role: $0.role.rawValue, notAfter: $0.notAfter, sources: $0.sources?.sorted(), queues: $0.queues?.sorted())
        }
        return try JSONBody.response(["tokens": views])
    }
}
