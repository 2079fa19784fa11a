import CCurl
import Foundation

/// What one IMAP or SMTP transfer collected in curl's callbacks, which all run on the transfer's thread.
/// It also holds the bytes to upload.
final class MailTransfer {
    /// What the write callback got: a custom command's untagged responses, or a fetched message.
    var body = Data()
    /// Largest `body` kept; a larger one fails the transfer with CURLE_WRITE_ERROR and `overflowed` set.
    let bodyLimit: Int
    private(set) var overflowed = false

    /// The server's protocol lines (CURLINFO_HEADER_IN), the last `lineLimit` of them, without the line
    /// break. Lines we send (CURLINFO_HEADER_OUT) are never looked at: they carry AUTH.
    private(set) var serverLines: [String] = []
    private var partialLine = Data()
    private let lineLimit = 200

    private let upload: Data
    private var uploadOffset = 0

    init(bodyLimit: Int, upload: Data = Data()) {
        self.bodyLimit = bodyLimit
        self.upload = upload
    }

    fileprivate func write(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let data else { return count }
        guard body.count + count <= bodyLimit else {
            overflowed = true
            return 0
        }
        body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: count)
        return count
    }

    fileprivate func read(into buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int) -> Int {
        guard let buffer else { return 0 }
        let count = min(capacity, upload.count - uploadOffset)
        guard count > 0 else { return 0 }
        upload.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + uploadOffset, byteCount: count)
        }
        uploadOffset += count
        return count
    }

    fileprivate func serverSent(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) {
        guard let data else { return }
        partialLine.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: count)
        while let newline = partialLine.firstIndex(of: UInt8(ascii: "\n")) {
            var line = partialLine[partialLine.startIndex..<newline]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            serverLines.append(String(decoding: line.prefix(4000), as: UTF8.self))
            if serverLines.count > lineLimit { serverLines.removeFirst(serverLines.count - lineLimit) }
            partialLine.removeSubrange(partialLine.startIndex...newline)
        }
        if partialLine.count > 64 * 1024 { partialLine.removeAll() }
    }

    /// Sets on `handle` what every mail transfer shares: URL, protocol allow-list, credentials, TLS,
    /// timeouts, and the callbacks into this object (kept alive by the caller until the transfer ends and
    /// the handle was reset or cleaned up).
    func configure(_ handle: UnsafeMutableRawPointer, endpoint: MailServerEndpoint, url: String, protocols: String) throws(CurlError) {
        try Self.check(sb_curl_setopt_string(handle, CURLOPT_URL, url), "setting the URL")
        try Self.check(sb_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "disabling signals")
        try Self.check(sb_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, protocols), "restricting protocols")
        try Self.check(sb_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, endpoint.timeout.curlMilliseconds), "setting the timeout")
        try Self.check(sb_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, endpoint.connectTimeout.curlMilliseconds), "setting the connect timeout")
        if let username = endpoint.username {
            try Self.check(sb_curl_setopt_string(handle, CURLOPT_USERNAME, username), "setting the user name")
        }
        if let password = endpoint.password {
            try Self.check(sb_curl_setopt_string(handle, CURLOPT_PASSWORD, password), "setting the password")
        }
        if let mechanism = endpoint.saslMechanism {
            // Without a token curl would fall back to another mechanism, or to no login at all.
            guard let token = endpoint.bearerToken, !token.isEmpty else {
                throw CurlError(code: CurlError.noAccessToken, description: "no OAuth2 access token for \(mechanism.rawValue)")
            }
            try Self.check(sb_curl_setopt_string(handle, CURLOPT_XOAUTH2_BEARER, token), "setting the access token")
            // Only this mechanism: curl would otherwise pick any the server offers that it can do.
            try Self.check(sb_curl_setopt_string(handle, CURLOPT_LOGIN_OPTIONS, "AUTH=\(mechanism.rawValue)"), "choosing the SASL mechanism")
        }
        if endpoint.startTLS {
            try Self.check(sb_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)), "requiring TLS")
        }
        if let caFile = endpoint.caFile {
            try Self.check(sb_curl_setopt_string(handle, CURLOPT_CAINFO, caFile), "setting the CA file")
        }
        if !endpoint.verifyPeer {
            try Self.check(sb_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0), "disabling peer verification")
            try Self.check(sb_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0), "disabling host verification")
        }
        // Long response lines (a big SEARCH result) are cut by curl beyond half of this buffer.
        try Self.check(sb_curl_setopt_long(handle, CURLOPT_BUFFERSIZE, 512 * 1024), "setting the buffer size")

        let context = Unmanaged.passUnretained(self).toOpaque()
        try Self.check(sb_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, { data, size, count, context in
            Unmanaged<MailTransfer>.fromOpaque(context!).takeUnretainedValue().write(data, size * count)
        }), "setting the write callback")
        try Self.check(sb_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context), "setting the write sink")
        // The debug callback is how the server's own words (the final SMTP reply, an IMAP NO) are seen.
        try Self.check(sb_curl_setopt_debug_callback(handle, { _, type, data, size, context in
            if type == CURLINFO_HEADER_IN {
                Unmanaged<MailTransfer>.fromOpaque(context!).takeUnretainedValue().serverSent(data, size)
            }
            return 0
        }), "setting the debug callback")
        try Self.check(sb_curl_setopt_pointer(handle, CURLOPT_DEBUGDATA, context), "setting the debug sink")
        try Self.check(sb_curl_setopt_long(handle, CURLOPT_VERBOSE, 1), "enabling the debug callback")
    }

    /// Makes the transfer an upload of this object's bytes.
    func configureUpload(_ handle: UnsafeMutableRawPointer) throws(CurlError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try Self.check(sb_curl_setopt_long(handle, CURLOPT_UPLOAD, 1), "enabling upload")
        try Self.check(sb_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(upload.count)), "setting the upload size")
        try Self.check(sb_curl_setopt_read_callback(handle, { buffer, size, count, context in
            Unmanaged<MailTransfer>.fromOpaque(context!).takeUnretainedValue().read(into: buffer, size * count)
        }), "setting the read callback")
        try Self.check(sb_curl_setopt_pointer(handle, CURLOPT_READDATA, context), "setting the read source")
    }

    static func check(_ code: CURLcode, _ step: String) throws(CurlError) {
        if code != CURLE_OK { throw CurlError(code, during: step) }
    }
}
