import NIOCore

/// A complete HTTP/1.1 error response written as bytes, for the handlers that answer before (or
/// instead of) the HTTP encoder: the connection closes after it.
enum RawHTTPResponse {
    /// `{"error":{"code","message"}}` as the API answers errors; `code` and `message` are constants
    /// that need no escaping.
    static func error(status: String, code: String, message: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        let body = #"{"error":{"code":"\#(code)","message":"\#(message)"}}"# + "\n"
        let head = "HTTP/1.1 \(status)\r\ncontent-type: application/json; charset=utf-8\r\n"
            + "content-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n"
        return allocator.buffer(string: head + body)
    }
}
