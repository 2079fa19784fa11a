import Foundation
import Hummingbird
import NIOCore
import SwitchboardCore

/// An error answered as `{"error": {"code": …, "message": …}}`. Messages name the problem and never
/// echo bodies, addresses or secrets.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var headers: HTTPFields
    /// Set when whoever raised it has logged it already (rate-limited refusals), so the request log
    /// does not add a line per request.
    var alreadyLogged = false
    /// For a refused lifecycle action: the conversation's state, and the actions it allows the caller.
    var state: String?
    var allowedActions: [String]?

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var state: String?
            var allowedActions: [String]?
        }
        var error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONBody.response(Body(error: Body.Detail(code: code, message: message, state: state, allowedActions: allowedActions)), status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, code: "invalid_request", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message) }
    static let unauthorized = APIError(
        .unauthorized, code: "unauthorized", "a valid bearer token is required",
        headers: [.wwwAuthenticate: "Bearer realm=\"switchboard\""])
    static let tokenExpired = APIError(
        .unauthorized, code: "token_expired", "this token is past its not_after; ask for a new one",
        headers: [.wwwAuthenticate: "Bearer realm=\"switchboard\", error=\"invalid_token\""])
    static let forbidden = APIError(.forbidden, code: "forbidden", "this token may not use this endpoint")
    /// A console session that ended (signed out, idle too long, or never opened here): sign in again.
    static let sessionExpired = APIError(.unauthorized, code: "session_expired", "the console session has ended; sign in again")
    /// A console session the store could not read or write: nothing changed, retry.
    static let sessionUnavailable = APIError(
        .serviceUnavailable, code: "storage_unavailable", "the console session could not be read or written; retry later", headers: [.retryAfter: "1"])

    /// Runs a read or write of console sessions, a store that does not answer becoming ``sessionUnavailable``.
    static func readingSessions<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw sessionUnavailable
        }
    }
    /// A console request that changes something without its session's CSRF token.
    static let csrfTokenInvalid = APIError(
        .forbidden, code: "csrf_token_invalid", "a request that changes something needs the session's X-CSRF-Token header")
    static func storageUnavailable() -> APIError {
        APIError(.serviceUnavailable, code: "storage_unavailable", "the message could not be committed; nothing was stored, retry later", headers: [.retryAfter: "1"])
    }
}

/// JSON encoding with the API's conventions: snake_case keys, ISO 8601 dates, sorted keys.
enum JSONBody {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// Decodes a request body, answering every failure with a `400` that names the problem: a missing
    /// field, a field of the wrong type (worded by `wrongType`, given the field's dotted path), a body that
    /// is not an object, or not JSON at all. An ``APIError`` the type throws itself passes through.
    static func decode<T: Decodable>(
        _ type: T.Type, from body: Data,
        wrongType: (String) -> String = { "field '\($0.excerptForMessage())' has the wrong type" }
    ) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch let error as APIError {
            throw error
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.badRequest("field '\(key.stringValue)' is required")
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError.badRequest(field.isEmpty ? "body must be a JSON object" : wrongType(field))
        } catch {
            throw APIError.badRequest("body is not valid JSON in UTF-8")
        }
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        return response(buffer: ByteBuffer(bytes: data), status: status, headers: headers)
    }

    /// An answer already written as JSON, for the few hot paths that skip `JSONEncoder`.
    static func response(json: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(json.utf8.count + 1)
        buffer.writeString(json)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return response(buffer: buffer, status: status, headers: headers)
    }

    private static func response(buffer: ByteBuffer, status: HTTPResponse.Status, headers: HTTPFields) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        // Answers carry customer data (conversations, messages, replies): no cache may keep them, and no
        // browser may read them as anything but JSON.
        fields[.cacheControl] = "no-store"
        fields[.xContentTypeOptions] = "nosniff"
        // Nor be framed, nor tell another site where the reader came from.
        fields[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'"
        fields[.referrerPolicy] = "no-referrer"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: buffer))
    }
}
