import BlockingWork
import CCurl
import Foundation
import Logging

/// A mailbox's STATUS.
public struct IMAPMailboxStatus: Sendable, Equatable {
    public var uidValidity: UInt32
    public var uidNext: UInt32
    public var messages: Int

    public init(uidValidity: UInt32, uidNext: UInt32, messages: Int) {
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.messages = messages
    }
}

/// One message as the server holds it: the exact bytes and its flags as they were before the fetch.
public struct IMAPFetchedMessage: Sendable {
    public var uid: UInt32
    public var data: Data
    public var flags: [String]

    public init(uid: UInt32, data: Data, flags: [String]) {
        self.uid = uid
        self.data = data
        self.flags = flags
    }
}

/// One IMAP connection to one mailbox, reused across calls: the easy handle is kept, so libcurl keeps the
/// connection (for up to CURLOPT_MAXAGE_CONN, 118 s idle by default) and the mailbox it selected.
///
/// Calls run on ``BlockingWork``'s threads, never on Swift's cooperative pool, one at a time under the
/// session's lock (one easy handle, one connection). Every call is bounded by the endpoint's timeouts.
///
/// How messages are read byte-exactly without setting `\Seen`: curl hands a custom command's response to the
/// write callback line by line and drops the lines of a literal, so a custom `UID FETCH … BODY.PEEK[]`
/// cannot return a message. curl's URL fetch (`…/INBOX/;UID=n`) reads the literal by its length, exactly,
/// but sends `BODY[]`, which sets `\Seen` in a read-write mailbox. So ``fetch(uids:expectedUIDValidity:)``
/// first sends a custom `EXAMINE` for the mailbox curl has selected: the mailbox is then read-only on the
/// server, `BODY[]` changes no flag, and curl, which still counts it as selected, fetches without selecting
/// again. Should curl select again anyway (a new connection), the fetched message's `\Seen` is restored.
/// The next command that changes the mailbox selects it read-write first.
public final class CurlIMAPSession: @unchecked Sendable {
    /// Largest message ``fetch(uids:expectedUIDValidity:)`` returns; a larger one fails the call.
    public static let maximumMessageSize = 100 * 1024 * 1024
    /// Largest response to a command kept (a SEARCH over a big mailbox).
    static let maximumResponseSize = 16 * 1024 * 1024
    /// UIDs per command whose answer is a line per message (`UID FETCH … (UID FLAGS)`, `UID MOVE`).
    /// Debian's libcurl 7.88 counts a response's lines against its 300 KB header limit as though each line
    /// held all the lines after it in the same read, about n²·w/2 bytes for n lines of w bytes: 140 short
    /// FETCH lines, or 83 lines with a handful of keywords, already fail the transfer ("Too large response
    /// headers", curl code 56). 25 lines stay under the limit for lines of up to 900 bytes.
    static let uidsPerListingCommand = 25

    private let endpoint: MailServerEndpoint
    private let mailboxName: String
    private let logger: Logger
    /// Held while a call uses the handle and the state below.
    private let lock = NSLock()
    /// `imap[s]://host:port` and the mailbox, or why they cannot be used (thrown by every call).
    private let target: Result<(base: String, mailbox: IMAPMailboxName), CurlError>

    /// The OAuth2 access token new connections log in with; under a lock of its own, so setting it never
    /// waits for a transfer.
    private let tokenLock = NSLock()
    private var accessToken: String?

    // Touched only under `lock`.
    private var handle: UnsafeMutableRawPointer?
    private var closed = false
    /// The server has the selected mailbox read-only (after our EXAMINE) while curl counts it as selected.
    private var examined = false
    /// The server answered ESEARCH with BAD once: ask the plain way from then on. (A failed command costs
    /// the connection: curl closes it.)
    private var plainSearch = false

    public init(endpoint: MailServerEndpoint, mailbox: String, logger: Logger) {
        CurlRuntime.initialize()
        self.endpoint = endpoint
        self.mailboxName = mailbox
        self.logger = logger
        self.target = Result { () throws(CurlError) -> (base: String, mailbox: IMAPMailboxName) in
            (try endpoint.baseURL(schemes: ["imap", "imaps"]), try IMAPMailboxName(mailbox))
        }
    }

    deinit {
        if let handle {
            let box = HandleBox(handle: handle)
            // A clean-up sends LOGOUT and waits for it: never on the caller's thread.
            BlockingWork.submit { curl_easy_cleanup(box.handle) }
        }
    }

    /// `STATUS "mailbox" (UIDVALIDITY UIDNEXT MESSAGES)`.
    public func status() async throws(CurlError) -> IMAPMailboxStatus {
        try await run { session throws(CurlError) in try session.statusBlocking() }
    }

    /// UIDs from `from` up, ascending. (`UID SEARCH UID n:*` also answers the highest UID when it is below
    /// `n`; that one is left out.)
    public func uids(from: UInt32) async throws(CurlError) -> [UInt32] {
        try await run { session throws(CurlError) in try session.uidsBlocking(from: max(from, 1)) }
    }

    /// The exact bytes of the messages with these UIDs, in ascending UID order, without setting `\Seen`
    /// (a batch, e.g. up to 50: two round trips plus one per message). Throws when the mailbox's UIDVALIDITY
    /// is not `expectedUIDValidity`. UIDs no longer in the mailbox are left out of the result.
    public func fetch(uids: [UInt32], expectedUIDValidity: UInt32) async throws(CurlError) -> [IMAPFetchedMessage] {
        try await run { session throws(CurlError) in try session.fetchBlocking(uids: uids, expectedUIDValidity: expectedUIDValidity) }
    }

    /// `UID STORE uids +FLAGS.SILENT (flags)`.
    public func addFlags(_ flags: [String], uids: [UInt32]) async throws(CurlError) {
        try await run { session throws(CurlError) in try session.storeBlocking(uids: uids, operation: "+FLAGS.SILENT", flags: flags) }
    }

    /// `UID MOVE uids "mailbox"` (RFC 6851; servers without MOVE are not supported).
    public func move(uids: [UInt32], to mailbox: String) async throws(CurlError) {
        try await run { session throws(CurlError) in try session.moveBlocking(uids: uids, to: mailbox) }
    }

    /// Appends a message to `mailbox` (this session's mailbox when nil) with exactly `flags`. curl's APPEND
    /// always sets `\Seen`; the flags are then set to `flags` with `UID STORE`, for which the server must
    /// answer the APPEND with its UID (UIDPLUS). Returns that UID when the server told it.
    @discardableResult
    public func append(_ message: Data, to mailbox: String? = nil, flags: [String] = []) async throws(CurlError) -> UInt32? {
        try await run { session throws(CurlError) in try session.appendBlocking(message, to: mailbox, flags: flags) }
    }

    /// `CREATE "name"`; a mailbox that already exists is fine.
    public func createMailbox(_ name: String) async throws(CurlError) {
        try await run { session throws(CurlError) in try session.createBlocking(name) }
    }

    /// The access token for the endpoint's SASL mechanism (XOAUTH2 or OAUTHBEARER), used from the next call
    /// on. A connection already logged in stays as it is; curl opens a new one for a new token (it matches
    /// kept connections by their credentials).
    public func useAccessToken(_ token: String) {
        tokenLock.withLock { accessToken = token }
    }

    /// The endpoint with the current access token.
    private var currentEndpoint: MailServerEndpoint {
        var endpoint = endpoint
        if endpoint.saslMechanism != nil { endpoint.bearerToken = tokenLock.withLock { accessToken } }
        return endpoint
    }

    /// Logs out and closes the connection (in the background); later calls throw.
    public func close() {
        BlockingWork.submit {
            self.lock.withLock {
                self.closed = true
                if let handle = self.handle {
                    curl_easy_cleanup(handle)
                    self.handle = nil
                }
            }
        }
    }

    // MARK: - Under the lock, on BlockingWork

    private func run<T: Sendable>(_ body: @escaping @Sendable (CurlIMAPSession) throws(CurlError) -> T) async throws(CurlError) -> T {
        let result: Result<T, CurlError>
        do {
            result = try await BlockingWork.run {
                self.lock.withLock { Result { () throws(CurlError) -> T in try body(self) } }
            }
        } catch {
            // The pool is gone: the process is shutting down.
            throw CurlError(code: CurlError.unexpectedResponse, description: "IMAP call not run: the blocking-work pool has stopped")
        }
        return try result.get()
    }

    private func statusBlocking() throws(CurlError) -> IMAPMailboxStatus {
        let (base, mailbox) = try target.get()
        // No mailbox in the URL: curl sends the command without selecting anything first.
        let transfer = try perform(
            "IMAP STATUS", url: base + "/", command: "STATUS \(mailbox.quoted) (UIDVALIDITY UIDNEXT MESSAGES)", idempotent: true)
        guard let status = IMAPResponseParser.status(transfer.body) else {
            throw CurlError(code: CurlError.unexpectedResponse, description: "IMAP STATUS of \(mailbox.name) got no STATUS response")
        }
        return status
    }

    private func uidsBlocking(from: UInt32) throws(CurlError) -> [UInt32] {
        let (base, mailbox) = try target.get()
        let url = base + "/" + mailbox.urlPath
        var found: [UInt32]?
        if !plainSearch {
            // ESEARCH (RFC 4731) answers with a compact set and its count, so a long answer cut short is noticed.
            let command = "UID SEARCH RETURN (COUNT ALL) UID \(from):*"
            var (code, transfer, connections) = try attemptCounting(url: url, command: command, upload: nil, bodyLimit: Self.maximumResponseSize)
            if connections == 0, Self.lostConnection.contains(code) {
                // A kept connection the server dropped while idle: a search is safe to send again.
                logger.debug("IMAP connection was lost; retrying on a new one", metadata: ["step": "IMAP UID SEARCH"])
                examined = false
                (code, transfer, connections) = try attemptCounting(url: url, command: command, upload: nil, bodyLimit: Self.maximumResponseSize)
            }
            if code == CURLE_OK {
                let (uids, count) = try IMAPResponseParser.search(transfer.body)
                if let count, count != uids.count {
                    throw CurlError(
                        code: CurlError.unexpectedResponse, description: "IMAP UID SEARCH in \(mailbox.name) counted \(count) but listed \(uids.count)")
                }
                found = uids
            } else if code == CURLE_QUOTE_ERROR, IMAPResponseParser.taggedFailure(transfer.serverLines)?.uppercased().hasPrefix("BAD") == true {
                logger.debug("IMAP server has no ESEARCH; searching the plain way")
                plainSearch = true
            } else {
                throw error(code, "IMAP UID SEARCH in \(mailbox.name)", transfer)
            }
        }
        if found == nil {
            let transfer = try perform("IMAP UID SEARCH in \(mailbox.name)", url: url, command: "UID SEARCH UID \(from):*", idempotent: true)
            found = try IMAPResponseParser.search(transfer.body).uids
        }
        let uids = found ?? []
        return Array(Set(uids.filter { $0 >= from })).sorted()
    }

    private func fetchBlocking(uids: [UInt32], expectedUIDValidity: UInt32) throws(CurlError) -> [IMAPFetchedMessage] {
        let (base, mailbox) = try target.get()
        let wanted = Set(uids.filter { $0 > 0 })
        guard !wanted.isEmpty else { return [] }
        let url = base + "/" + mailbox.urlPath

        func checkValidity(_ validity: UInt32) throws(CurlError) {
            guard validity == expectedUIDValidity else {
                throw CurlError(
                    code: CurlError.uidValidityChanged,
                    description: "IMAP mailbox \(mailbox.name) has UIDVALIDITY \(validity), expected \(expectedUIDValidity)")
            }
        }
        func examine() throws(CurlError) {
            // curl selects the mailbox first if it has not; then EXAMINE makes it read-only on the server.
            let transfer = try perform("IMAP EXAMINE", url: url, command: "EXAMINE \(mailbox.quoted)", idempotent: true)
            examined = true
            guard let validity = IMAPResponseParser.uidValidity(IMAPResponseParser.lines(transfer.body)) else {
                throw CurlError(code: CurlError.unexpectedResponse, description: "IMAP EXAMINE of \(mailbox.name) told no UIDVALIDITY")
            }
            try checkValidity(validity)
        }
        /// Whether curl selected the mailbox (read-write) during `transfer`: a new connection.
        func selectedAgain(_ transfer: MailTransfer) throws(CurlError) -> Bool {
            guard let validity = IMAPResponseParser.uidValidity(transfer.serverLines) else { return false }
            examined = false
            try checkValidity(validity)
            return true
        }

        try examine()
        var needsExamine = false
        var flags: [UInt32: [String]] = [:]
        for chunk in Self.chunks(Array(wanted).sorted()) {
            if needsExamine {
                try examine()
                needsExamine = false
            }
            let flagsTransfer = try perform(
                "IMAP UID FETCH FLAGS", url: url, command: "UID FETCH \(IMAPResponseParser.uidSet(chunk)) (UID FLAGS)", idempotent: true)
            needsExamine = try selectedAgain(flagsTransfer)
            flags.merge(IMAPResponseParser.flags(flagsTransfer.body).filter { wanted.contains($0.key) }) { first, _ in first }
        }

        var messages: [IMAPFetchedMessage] = []
        var seenToUndo: [UInt32] = []
        do throws(CurlError) {
            for uid in flags.keys.sorted() {
                if needsExamine {
                    try examine()
                    needsExamine = false
                }
                let (code, transfer) = try attempt(url: url + "/;UID=\(uid)", command: nil, bodyLimit: Self.maximumMessageSize)
                if try selectedAgain(transfer) {
                    needsExamine = true
                    if !(flags[uid] ?? []).contains(where: { $0.caseInsensitiveCompare("\\Seen") == .orderedSame }) { seenToUndo.append(uid) }
                }
                if code == CURLE_REMOTE_FILE_NOT_FOUND { continue }  // expunged since
                guard code == CURLE_OK else { throw error(code, "IMAP UID FETCH of UID \(uid) in \(mailbox.name)", transfer) }
                messages.append(IMAPFetchedMessage(uid: uid, data: transfer.body, flags: flags[uid] ?? []))
            }
        } catch {
            undoSeen(seenToUndo, url: url, mailbox: mailbox)
            throw error
        }
        undoSeen(seenToUndo, url: url, mailbox: mailbox)
        return messages
    }

    private func undoSeen(_ uids: [UInt32], url: String, mailbox: IMAPMailboxName) {
        guard !uids.isEmpty else { return }
        logger.warning("IMAP connection was renewed during a fetch; clearing the \\Seen it set", metadata: ["mailbox": "\(mailbox.name)", "uids": "\(uids)"])
        do {
            try selectReadWrite(url: url, mailbox: mailbox)
            _ = try perform("IMAP UID STORE", url: url, command: "UID STORE \(IMAPResponseParser.uidSet(uids)) -FLAGS.SILENT (\\Seen)", idempotent: true)
        } catch {
            logger.error("could not clear \\Seen after a fetch", metadata: ["mailbox": "\(mailbox.name)", "error": "\(error)"])
        }
    }

    /// Selects the mailbox read-write again when our EXAMINE left it read-only.
    private func selectReadWrite(url: String, mailbox: IMAPMailboxName) throws(CurlError) {
        guard examined else { return }
        _ = try perform("IMAP SELECT", url: url, command: "SELECT \(mailbox.quoted)", idempotent: true)
        examined = false
    }

    private func storeBlocking(uids: [UInt32], operation: String, flags: [String]) throws(CurlError) {
        let (base, mailbox) = try target.get()
        let flagList = try Self.flagList(flags)
        guard !uids.isEmpty else { return }
        let url = base + "/" + mailbox.urlPath
        try selectReadWrite(url: url, mailbox: mailbox)
        _ = try perform("IMAP UID STORE", url: url, command: "UID STORE \(IMAPResponseParser.uidSet(uids)) \(operation) \(flagList)", idempotent: true)
    }

    private func moveBlocking(uids: [UInt32], to destination: String) throws(CurlError) {
        let (base, mailbox) = try target.get()
        let target = try IMAPMailboxName(destination)
        guard !uids.isEmpty else { return }
        let url = base + "/" + mailbox.urlPath
        try selectReadWrite(url: url, mailbox: mailbox)
        // Moving UIDs already gone is a no-op, so a retry after a lost connection does no harm.
        // Each moved message is answered with an EXPUNGE line.
        for chunk in Self.chunks(uids) {
            _ = try perform("IMAP UID MOVE", url: url, command: "UID MOVE \(IMAPResponseParser.uidSet(chunk)) \(target.quoted)", idempotent: true)
        }
    }

    private func appendBlocking(_ message: Data, to destination: String?, flags: [String]) throws(CurlError) -> UInt32? {
        let (base, sessionMailbox) = try target.get()
        let mailbox = try destination.map { name throws(CurlError) in try IMAPMailboxName(name) } ?? sessionMailbox
        let flagList = try Self.flagList(flags)
        let url = base + "/" + mailbox.urlPath
        let transfer = try perform("IMAP APPEND to \(mailbox.name)", url: url, command: nil, upload: message, idempotent: false)
        guard let (_, uid) = IMAPResponseParser.appendUID(transfer.serverLines) else {
            if flags.map({ $0.lowercased() }) != ["\\seen"] {
                logger.warning("IMAP server did not tell the appended message's UID (no UIDPLUS): it keeps curl's \\Seen", metadata: ["mailbox": "\(mailbox.name)"])
            }
            return nil
        }
        if flags.map({ $0.lowercased() }) != ["\\seen"] {
            // curl's APPEND sets (\Seen); replace it with the flags asked for.
            if mailbox == sessionMailbox { try selectReadWrite(url: url, mailbox: mailbox) }
            _ = try perform("IMAP UID STORE", url: url, command: "UID STORE \(uid) FLAGS.SILENT \(flagList)", idempotent: true)
        }
        return uid
    }

    private func createBlocking(_ name: String) throws(CurlError) {
        let (base, _) = try target.get()
        let mailbox = try IMAPMailboxName(name)
        let (code, transfer) = try attempt(url: base + "/", command: "CREATE \(mailbox.quoted)", bodyLimit: Self.maximumResponseSize)
        if code == CURLE_OK { return }
        if code == CURLE_QUOTE_ERROR {
            let failure = IMAPResponseParser.taggedFailure(transfer.serverLines) ?? ""
            if failure.uppercased().contains("ALREADYEXISTS") || failure.lowercased().contains("already exists") { return }
            // Other servers word it otherwise: the mailbox is there if STATUS works.
            let (probe, _) = try attempt(
                url: base + "/", command: "STATUS \(mailbox.quoted) (MESSAGES)", bodyLimit: Self.maximumResponseSize)
            if probe == CURLE_OK { return }
        }
        throw error(code, "IMAP CREATE \(mailbox.name)", transfer)
    }

    /// `(\Seen $Label)`: every flag an IMAP atom, so nothing can be smuggled into the command.
    static func flagList(_ flags: [String]) throws(CurlError) -> String {
        for flag in flags {
            let body = flag.hasPrefix("\\") ? flag.dropFirst() : Substring(flag)
            guard !body.isEmpty,
                body.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && !"(){%*\"\\]".unicodeScalars.contains($0) })
            else {
                throw CurlError(code: CurlError.invalidInput, description: "IMAP flag \(MailServerEndpoint.safe(flag)) is not an atom")
            }
        }
        return "(" + flags.joined(separator: " ") + ")"
    }

    // MARK: - Transfers

    /// Runs one transfer and throws on any failure; retries once, on a new connection, when an idempotent
    /// command failed on a reused connection that had gone away meanwhile.
    /// `uids` in runs of at most ``uidsPerListingCommand``.
    static func chunks(_ uids: [UInt32]) -> [[UInt32]] {
        stride(from: 0, to: uids.count, by: uidsPerListingCommand).map { Array(uids[$0..<min($0 + uidsPerListingCommand, uids.count)]) }
    }

    private func perform(
        _ step: String, url: String, command: String?, upload: Data? = nil, idempotent: Bool, bodyLimit: Int = maximumResponseSize
    ) throws(CurlError) -> MailTransfer {
        var (code, transfer, connections) = try attemptCounting(url: url, command: command, upload: upload, bodyLimit: bodyLimit)
        if code != CURLE_OK, idempotent, connections == 0, Self.lostConnection.contains(code) {
            logger.debug("IMAP connection was lost; retrying on a new one", metadata: ["step": "\(step)"])
            examined = false
            (code, transfer, connections) = try attemptCounting(url: url, command: command, upload: upload, bodyLimit: bodyLimit)
        }
        guard code == CURLE_OK else { throw error(code, step, transfer) }
        return transfer
    }

    private func attempt(url: String, command: String?, bodyLimit: Int) throws(CurlError) -> (CURLcode, MailTransfer) {
        let (code, transfer, _) = try attemptCounting(url: url, command: command, upload: nil, bodyLimit: bodyLimit)
        return (code, transfer)
    }

    /// What a kept connection that the server closed looks like.
    private static let lostConnection: Set<CURLcode> = [CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING]

    /// One transfer on the kept handle; returns curl's result, what was collected and how many new
    /// connections it made (0: it reused one).
    private func attemptCounting(url: String, command: String?, upload: Data?, bodyLimit: Int) throws(CurlError) -> (CURLcode, MailTransfer, Int) {
        guard !closed else { throw CurlError(code: CurlError.sessionClosed, description: "IMAP session for \(mailboxName) is closed") }
        if handle == nil { handle = curl_easy_init() }
        guard let handle else { throw CurlError(code: -1, description: "curl_easy_init failed") }
        let transfer = MailTransfer(bodyLimit: bodyLimit, upload: upload ?? Data())
        // Options (and the callbacks' pointer to `transfer`) last for this transfer only; the connection stays.
        defer { curl_easy_reset(handle) }
        try transfer.configure(handle, endpoint: currentEndpoint, url: url, protocols: "imap,imaps")
        if let command {
            // curl URL-decodes a custom request (and refuses control characters in it): keep '%' literal.
            let escaped = command.replacingOccurrences(of: "%", with: "%25")
            try MailTransfer.check(sb_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, escaped), "setting the IMAP command")
        }
        if upload != nil { try transfer.configureUpload(handle) }
        let code = withExtendedLifetime(transfer) { curl_easy_perform(handle) }
        var connections = 0
        _ = sb_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connections)
        return (code, transfer, connections)
    }

    /// An error that names the step, curl's reason and the server's NO/BAD text, never a credential.
    private func error(_ code: CURLcode, _ step: String, _ transfer: MailTransfer) -> CurlError {
        var error = CurlError(code, during: step)
        if transfer.overflowed {
            return CurlError(code: CurlError.tooLarge, description: "\(step): response larger than \(transfer.bodyLimit) bytes")
        }
        if var said = IMAPResponseParser.taggedFailure(transfer.serverLines) {
            said = currentEndpoint.redacting(said)
            error.description += ": server said \(MailServerEndpoint.safe(said))"
        }
        return error
    }
}

/// An easy handle handed to BlockingWork for its clean-up.
private struct HandleBox: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
}
