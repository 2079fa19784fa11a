import Channels
import Curl
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import SwitchboardCore

/// A real HTTP server on 127.0.0.1 that plays the mobile operator (the SMSC) behind a real Kannel, which reaches it
/// through its generic HTTP SMSC (`smsc = http`, `system-type = generic`; ``TestKannel`` writes that group from
/// ``sendURL``). Tests see exactly what Kannel hands an operator, part by part, and can play back what an operator
/// does: deliver reports (automatic or by hand, twice, late or out of order) and send mobile-originated messages.
///
/// What Kannel 1.4.5 sends (found by experiment, see ``MT``): one GET per part of a message. A long message comes
/// split by Kannel itself into concatenated parts, each with its own UDH, and parts may arrive in any order
/// (Kannel sends them concurrently). Text in the GSM 7-bit coding arrives as UTF-8 (`charset=UTF-8`), UCS-2 as
/// UTF-16BE bytes (`charset=UTF-16BE`). Only the first part of a concatenated message asks for a delivery report
/// (its `dlr-mask` is the one given to sendsms; the other parts carry 0).
///
/// Every MT is answered `OK <foreign id>` unless scripted otherwise (``script(_:)``); Kannel takes the id with
/// `generic-foreign-id-regex` and keys its delivery report storage on it.
final class FakeSMSOperator: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// How the operator answers one MT request (one part).
    enum MTAnswer: Sendable, Equatable {
        /// `OK <foreign id>`: Kannel counts the part as sent (report type 8) and stores the id for reports.
        case accept
        /// `TEMP …`: Kannel's `status-tempfail-regex`; Kannel sends the part again after `sms-resend-freq` (1 s).
        case temporaryFailure
        /// `FAIL …`: Kannel's `status-permfail-regex`; the message fails, report type 16 (`NACK/FAIL …`).
        case permanentFailure
        /// An answer no regex matches; Kannel rejects the message, report type 16 (`NACK/REJECTED`).
        case unrecognized
    }

    /// A delivery report's outcome, as the operator reports it.
    enum ReportStatus: String, Sendable {
        /// Kannel DLR type 1.
        case delivered
        /// Kannel DLR type 2.
        case failed
        /// Kannel DLR type 4 (intermediate: queued on the SMSC); a later final report still finds the message.
        case buffered

        var dlrType: Int {
            switch self {
            case .delivered: 1
            case .failed: 2
            case .buffered: 4
            }
        }

        /// The SMPP-style state put in the report's text (Kannel's `%A` in the dlr-url).
        var state: String {
            switch self {
            case .delivered: "DELIVRD"
            case .failed: "UNDELIV"
            case .buffered: "ENROUTE"
            }
        }
    }

    /// How ``sendMO(from:to:text:coding:)`` codes a message.
    enum MOCoding: Sendable {
        /// GSM 7-bit when every character is in the GSM 03.38 alphabet, UCS-2 otherwise: what a handset does.
        case automatic
        /// `coding=0`, the text as UTF-8 (Kannel passes it on unchanged, `%C` = `UTF-8`).
        case gsm7
        /// `coding=2`, the text as UTF-16BE bytes (Kannel passes them on unchanged, `%C` = `UTF-16BE`).
        case ucs2
    }

    /// The concatenation information element of a part's UDH (IEI 0x00 or 0x08).
    struct Concatenation: Sendable, Equatable {
        var reference: Int
        var count: Int
        var number: Int
    }

    /// One MT request Kannel made: one part of a message.
    struct MT: Sendable, Equatable {
        var to: String
        var from: String
        /// The part's text, decoded per ``coding`` and ``charset``.
        var text: String
        /// The part's bytes exactly as Kannel sent them (`%b`).
        var data: [UInt8]
        /// 0 = GSM 7-bit, 1 = 8-bit, 2 = UCS-2 (Kannel's `%c`).
        var coding: Int
        /// Kannel's `%C`: `UTF-8` for 7-bit, `UTF-16BE` for UCS-2, `8-BIT` for 8-bit.
        var charset: String
        /// The UDH in lower-case hex, nil when the part has none.
        var udh: String?
        var concatenation: Concatenation?
        /// The report types Kannel asked for on this part (`%d`): sendsms's `dlr-mask` on the first part, 0 on the
        /// other parts of a long message, -1 when sendsms was given none.
        var dlrMask: Int
        /// Kannel's id for this part (`%I`).
        var kannelID: String
        /// The id the operator answered with; nil when the part was not accepted.
        var foreignID: String?
        var answer: MTAnswer
        var receivedAt: Date
    }

    /// A delivery report the operator sent to Kannel, and whether Kannel knew the message.
    struct SentReport: Sendable, Equatable {
        var foreignID: String
        var status: ReportStatus
        /// False when Kannel answered `Unknown DLR, not accepted` (no stored message for the id).
        var accepted: Bool
        var automatic: Bool
    }

    private struct State {
        var autoDeliver: Bool
        var answers: [MTAnswer] = []
        var received: [MT] = []
        var reportsSent: [SentReport] = []
        var counter = 0
        var kannelSMSCPort = 0
        var reportTasks: [Task<Void, Never>] = []
    }

    private let state: Mutex<State>
    private let server = LoopbackServer()
    private let client = CurlHTTPClient()
    /// Makes foreign ids unique across operators, so a report can never reach another test's Kannel message.
    private let idPrefix = "op" + String(UUID().uuidString.prefix(8)).lowercased()

    /// - Parameter autoDeliver: after each accepted part that asks for a success report, report it delivered.
    init(autoDeliver: Bool = true) {
        state = Mutex(State(autoDeliver: autoDeliver))
    }

    /// Whether each accepted part whose dlr-mask asks for success (bit 1) is reported `delivered` shortly after.
    var autoDeliver: Bool {
        get { state.withLock { $0.autoDeliver } }
        set { state.withLock { $0.autoDeliver = newValue } }
    }

    /// Every MT part received so far, in arrival order.
    var received: [MT] { state.withLock { $0.received } }

    /// Every delivery report sent to Kannel so far, in order: by hand, each; automatic, once Kannel took it (or its
    /// last attempt when Kannel never did).
    var reportsSent: [SentReport] { state.withLock { $0.reportsSent } }

    /// The port it listens on, once started.
    var port: Int { server.port }

    /// Kannel's `send-url` for this operator: its placeholders give everything ``MT`` records.
    var sendURL: String {
        "http://127.0.0.1:\(port)/mt?to=%p&from=%P&text=%b&coding=%c&charset=%C&udh=%u&dlr-mask=%d&id=%I"
    }

    /// The next MT parts are answered with these, in turn; after them, ``MTAnswer/accept`` again.
    func script(_ answers: [MTAnswer]) {
        state.withLock { $0.answers = answers }
    }

    /// Tells the operator where Kannel's HTTP SMSC listens for reports and MOs (``TestKannel`` does this).
    func attach(kannelSMSCPort: Int) {
        state.withLock { $0.kannelSMSCPort = kannelSMSCPort }
    }

    // MARK: - Start and stop

    func start() async throws {
        let router = Router()
        router.get("mt") { request, _ -> Response in
            self.receive(query: request.uri.query ?? "")
        }
        await server.start(router, label: "fake-sms-operator")
        guard port > 0 else { throw Failure(description: "the fake SMS operator did not start listening on 127.0.0.1") }
    }

    /// Stops listening, then ends automatic reports still under way.
    func stop() async {
        await server.stop()
        let reports = state.withLock { state in
            defer { state.reportTasks = [] }
            return state.reportTasks
        }
        for report in reports { report.cancel() }
        for report in reports { await report.value }
    }

    // MARK: - MT

    private func receive(query: String) -> Response {
        let fields = Self.formFields(query)
        func string(_ name: String) -> String { fields[name].map { String(decoding: $0, as: UTF8.self) } ?? "" }
        let data = fields["text"] ?? []
        let coding = Int(string("coding")) ?? 0
        let charset = string("charset")
        let udh = fields["udh"].flatMap { $0.isEmpty ? nil : $0 }
        let dlrMask = Int(string("dlr-mask")) ?? 0

        let (mt, autoReport) = state.withLock { state -> (MT, Bool) in
            let answer = state.answers.isEmpty ? MTAnswer.accept : state.answers.removeFirst()
            var foreignID: String?
            if answer == .accept {
                state.counter += 1
                foreignID = "\(idPrefix)-\(state.counter)"
            }
            let mt = MT(
                to: string("to"), from: string("from"), text: Self.decode(data, coding: coding, charset: charset), data: data,
                coding: coding, charset: charset, udh: udh.map(Self.hex), concatenation: udh.flatMap(Self.concatenation),
                dlrMask: dlrMask, kannelID: string("id"), foreignID: foreignID, answer: answer, receivedAt: Date())
            state.received.append(mt)
            // -1 is Kannel's "not given": a report was not asked for.
            return (mt, state.autoDeliver && foreignID != nil && dlrMask > 0 && dlrMask & 1 != 0)
        }

        if autoReport, let foreignID = mt.foreignID {
            let report = Task {
                // Kannel stores the id for reports once it has read this answer; a report sent before that is
                // refused as unknown, so it is sent a moment later and retried while refused.
                try? await Task.sleep(for: .milliseconds(100))
                for attempt in 1...30 where !Task.isCancelled {
                    let accepted = try? await self.report(
                        foreignID: foreignID, status: .delivered, errorCode: nil, automatic: true, recordRefusal: attempt == 30)
                    if accepted == true { return }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            state.withLock { $0.reportTasks.append(report) }
        }

        // The generic HTTP SMSC reads only the body (its three regexes); the status is what a real operator might send.
        let (status, body): (Int, String)
        switch mt.answer {
        case .accept: (status, body) = (200, "OK \(mt.foreignID ?? "")")
        case .temporaryFailure: (status, body) = (503, "TEMP throttled, try again later")
        case .permanentFailure: (status, body) = (400, "FAIL invalid destination")
        case .unrecognized: (status, body) = (200, "what?")
        }
        return Response(
            status: .init(code: status), headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Waits until at least `count` parts have arrived, and returns all of them.
    func waitForMTs(count: Int, timeout: Duration = .seconds(10)) async throws -> [MT] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let received = self.received
            if received.count >= count { return received }
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "the operator received \(received.count) MT part(s), not \(count), within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits until every long message begun so far has all its parts. Kannel asks for a report on a long message's
    /// first part only, so an entry can read delivered while its later parts are still on their way here.
    func waitForWholeMessages(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let parts = Dictionary(grouping: received.compactMap(\.concatenation), by: \.reference)
            let missing = parts.values.filter { group in Set(group.map(\.number)).count < group[0].count }.count
            if missing == 0 { return }
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "\(missing) long message(s) still lack parts after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    // MARK: - Reports and MO

    /// Sends Kannel a delivery report for a part the operator accepted, as an operator does: any number of times, in
    /// any order. Returns whether Kannel took it; Kannel forgets a message after its final report (delivered or
    /// failed), so a second final report comes back false (`Unknown DLR, not accepted`).
    @discardableResult
    func sendDeliveryReport(foreignID: String, status: ReportStatus, errorCode: Int? = nil) async throws -> Bool {
        try await report(foreignID: foreignID, status: status, errorCode: errorCode, automatic: false, recordRefusal: true)
    }

    private func report(foreignID: String, status: ReportStatus, errorCode: Int?, automatic: Bool, recordRefusal: Bool) async throws -> Bool {
        let to = received.first { $0.foreignID == foreignID }?.to
        var query: [(String, [UInt8])] = [
            ("dlr-mask", Array(String(status.dlrType).utf8)), ("dlr-mid", Array(foreignID.utf8)),
            ("text", Array("id:\(foreignID) stat:\(status.state) err:\(String(format: "%03d", errorCode ?? 0))".utf8)),
        ]
        if let to { query.append(("to", Array(to.utf8))) }
        if let errorCode { query.append(("dlr-err", Array(String(format: "%03d", errorCode).utf8))) }
        let (code, body) = try await callKannel(query, what: "delivery report")
        // The HTTP SMSC answers generic-status-sent (200) when it found the message, generic-status-error (400) if not.
        let accepted = code == 200
        guard accepted || body.contains("Unknown DLR") else {
            throw Failure(description: "Kannel refused the delivery report for \(foreignID): HTTP \(code) \(body)")
        }
        if accepted || recordRefusal {
            state.withLock { $0.reportsSent.append(SentReport(foreignID: foreignID, status: status, accepted: accepted, automatic: automatic)) }
        }
        return accepted
    }

    /// Submits a mobile-originated message into Kannel's HTTP SMSC, as the operator does when a handset sends one;
    /// Kannel hands it to smsbox, which calls the `sms-service` get-url. UCS-2 is sent as UTF-16BE bytes with
    /// `coding=2` (the generic HTTP SMSC has no charset parameter; it passes the bytes on unchanged).
    ///
    /// - Returns: Kannel's id for the message (its `%I`, which smsbox passes to the get-url unchanged, retries too).
    @discardableResult
    func sendMO(from: String, to: String, text: String, coding: MOCoding = .automatic) async throws -> String {
        let ucs2: Bool
        switch coding {
        case .automatic: ucs2 = SMSSegments(text).encoding == .ucs2
        case .gsm7: ucs2 = false
        case .ucs2: ucs2 = true
        }
        let bytes: [UInt8] = ucs2 ? text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } : Array(text.utf8)
        let (code, body) = try await callKannel(
            [("from", Array(from.utf8)), ("to", Array(to.utf8)), ("text", bytes), ("coding", ucs2 ? [0x32] : [0x30])], what: "MO")
        // generic-message-sent is "Sent %I".
        guard code == 200, body.hasPrefix("Sent ") else {
            throw Failure(description: "Kannel refused the MO from \(from): HTTP \(code) \(body)")
        }
        return String(body.dropFirst(5)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func callKannel(_ query: [(String, [UInt8])], what: String) async throws -> (Int, String) {
        let kannelPort = state.withLock { $0.kannelSMSCPort }
        guard kannelPort > 0 else { throw Failure(description: "no Kannel attached to the fake SMS operator (TestKannel.start attaches it)") }
        let encoded = query.map { "\($0.0)=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        let response: Curl.HTTPResponse
        do {
            response = try await client.perform(
                Curl.HTTPRequest(method: "GET", url: "http://127.0.0.1:\(kannelPort)/?\(encoded)", timeout: .seconds(5), connectTimeout: .seconds(2)))
        } catch {
            throw Failure(description: "cannot reach Kannel's HTTP SMSC on 127.0.0.1:\(kannelPort) with the \(what): \(error)")
        }
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    // MARK: - Encoding

    /// A form-encoded query split into raw bytes per name (`+` is a space); later duplicates win.
    static func formFields(_ query: String) -> [String: [UInt8]] {
        var fields: [String: [UInt8]] = [:]
        for pair in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(decoding: percentDecode(parts[0]), as: UTF8.self)
            fields[name] = parts.count > 1 ? percentDecode(parts[1]) : []
        }
        return fields
    }

    static func percentDecode(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        var iterator = Array(bytes).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): result.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return result }
                result.append(value)
            default: result.append(byte)
            }
        }
        return result
    }

    static func percentEncode(_ bytes: [UInt8]) -> String {
        var result = ""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.append(Character(Unicode.Scalar(byte)))
            default:
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    /// A part's text: UTF-16BE for UCS-2, Latin-1 for 8-bit, UTF-8 for the 7-bit coding (Kannel converts it).
    static func decode(_ data: [UInt8], coding: Int, charset: String) -> String {
        switch (charset.uppercased(), coding) {
        case ("UTF-16BE", _), (_, 2):
            return String(bytes: data, encoding: .utf16BigEndian) ?? String(decoding: data, as: UTF8.self)
        case ("8-BIT", _), (_, 1):
            return String(bytes: data, encoding: .isoLatin1) ?? ""
        default:
            return String(decoding: data, as: UTF8.self)
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// The concatenation element of a UDH (length byte first), if it has one.
    static func concatenation(_ udh: [UInt8]) -> Concatenation? {
        guard let length = udh.first, udh.count >= Int(length) + 1 else { return nil }
        var index = 1
        while index + 1 < Int(length) + 1 {
            let element = udh[index]
            let size = Int(udh[index + 1])
            let start = index + 2
            guard start + size <= udh.count else { return nil }
            if element == 0x00, size == 3 {
                return Concatenation(reference: Int(udh[start]), count: Int(udh[start + 1]), number: Int(udh[start + 2]))
            }
            if element == 0x08, size == 4 {
                return Concatenation(
                    reference: Int(udh[start]) << 8 | Int(udh[start + 1]), count: Int(udh[start + 2]), number: Int(udh[start + 3]))
            }
            index = start + size
        }
        return nil
    }
}
