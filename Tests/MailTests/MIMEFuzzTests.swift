import Foundation
import TestSupport
import Testing
@testable import Mail

/// Every sample message in `Tests/Fixtures/mail`.
private func fuzzFixtures() throws -> [(name: String, data: [UInt8])] {
    try MailFixtures.all()
}

/// Fragments that steer mutations toward the parser's interesting paths.
private let fuzzTokens: [String] = [
    "\r\n", "\n", "\r\n\r\n", "--", "--sb", "--sb-alt--", "--alt-boundary", "--u--", "--zz", "--dsn.boundary/1",
    "Content-Type: multipart/mixed; boundary=\"sb\"\r\n", "Content-Type: multipart/alternative; boundary=x\r\n",
    "Content-Type: text/html; charset=gbk\r\n", "Content-Transfer-Encoding: base64\r\n",
    "Content-Transfer-Encoding: quoted-printable\r\n", "Content-Disposition: attachment; filename*0*=UTF-8''%E6",
    "=?", "?=", "=?utf-8?B?", "=?gb2312?Q?=C4", "=", "=\r\n", "=E4", "<", ">", "<script>", "</p>", "<!--", "&#x",
    "&amp", ";", ":", "\"", "(", ")", "\\", " ", "\t", "\u{0}", "\u{FF}", "@", ",", "<>",
]

private func fuzzMutate(_ input: [UInt8], random: inout FuzzRandom) -> [UInt8] {
    var bytes = input
    for _ in 0...random.below(4) {
        switch random.below(7) {
        case 0:
            // Bit flips.
            for _ in 0...random.below(8) where !bytes.isEmpty {
                bytes[random.below(bytes.count)] ^= UInt8(1 << random.below(8))
            }
        case 1:
            // Truncation.
            bytes = Array(bytes.prefix(random.below(bytes.count + 1)))
        case 2:
            // Duplicate a range somewhere else.
            guard !bytes.isEmpty else { break }
            let start = random.below(bytes.count)
            let length = random.below(min(512, bytes.count - start) + 1)
            bytes.insert(contentsOf: bytes[start..<(start + length)], at: random.below(bytes.count + 1))
        case 3:
            // Insert a boundary-like or syntax token.
            let token = Array(fuzzTokens[random.below(fuzzTokens.count)].utf8)
            bytes.insert(contentsOf: token, at: random.below(bytes.count + 1))
        case 4:
            // Delete a range.
            guard !bytes.isEmpty else { break }
            let start = random.below(bytes.count)
            bytes.removeSubrange(start..<(start + random.below(min(256, bytes.count - start) + 1)))
        case 5:
            // Random bytes.
            let noise = (0..<random.below(64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            bytes.insert(contentsOf: noise, at: random.below(bytes.count + 1))
        default:
            // Line-ending damage: CRLF to LF, or a lone CR.
            if let index = bytes.indices.dropFirst(random.below(bytes.count + 1)).first(where: { bytes[$0] == 0x0D }) {
                if random.below(2) == 0 { bytes.remove(at: index) } else { bytes[index + 0] = 0x0D; bytes.insert(0x0D, at: index) }
            }
        }
    }
    return bytes
}

/// Invariants every parse result must satisfy, whatever the input.
private func fuzzCheck(_ mail: ParsedMail, limits: MIMELimits) {
    #expect(mail.warnings.count <= 101)
    #expect(mail.attachments.count <= limits.maximumParts + 1)
    #expect(mail.attachments.allSatisfy { $0.size >= 0 && !$0.contentType.isEmpty })
    #expect(mail.textSource != .none || mail.text.isEmpty)
    _ = mail.automaticReason
}

@Suite("MIME parser: fuzzing")
struct MIMEFuzzTests {
    @Test("seeded mutations of every fixture parse without crashing, with default and tight limits")
    func mutatedFixtures() throws {
        let fixtures = try fuzzFixtures()
        #expect(fixtures.count >= 12)
        let tight = MIMELimits(maximumDepth: 2, maximumParts: 3, maximumHeaderBytes: 200)
        let parsers = [(MIMEParser(), MIMELimits()), (MIMEParser(limits: tight), tight)]
        var random = FuzzRandom(state: 20_261_122)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for iteration in 0..<3000 {
                let fixture = fixtures[iteration % fixtures.count]
                let mutated = fuzzMutate(fixture.data, random: &random)
                let (parser, limits) = parsers[iteration % 7 == 0 ? 1 : 0]
                fuzzCheck(parser.parse(Data(mutated)), limits: limits)
            }
        }
        #expect(elapsed < .seconds(20))
    }

    @Test("random bytes and token soup parse without crashing")
    func randomInput() {
        var random = FuzzRandom(state: 42)
        for _ in 0..<400 {
            let bytes = (0..<random.below(2048)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            fuzzCheck(MIMEParser().parse(Data(bytes)), limits: MIMELimits())
        }
        for _ in 0..<400 {
            var soup = "Content-Type: multipart/mixed; boundary=sb\r\n"
            for _ in 0..<random.below(200) { soup += fuzzTokens[random.below(fuzzTokens.count)] }
            fuzzCheck(MIMEParser().parse(Data(soup.utf8)), limits: MIMELimits())
        }
    }

    @Test("adversarial shapes stay fast: deep nesting, endless encoded-word starts, unclosed markup, many lines")
    func adversarial() {
        let clock = ContinuousClock()
        var inputs: [String] = []
        inputs.append(String(repeating: "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n", count: 5000))
        inputs.append("Subject: " + String(repeating: "=?", count: 200_000) + "\r\n\r\n")
        inputs.append("Subject: " + String(repeating: "=?utf-8?Q?", count: 20_000) + "\r\n\r\n")
        inputs.append("From: " + String(repeating: "(", count: 100_000) + "\r\nTo: " + String(repeating: "\"<,", count: 50_000) + "\r\n\r\n")
        inputs.append("Content-Type: text/html\r\n\r\n" + String(repeating: "<head><script><a href='", count: 20_000))
        inputs.append("Content-Type: text/html\r\n\r\n" + String(repeating: "<!-", count: 50_000) + String(repeating: "&#x", count: 50_000))
        inputs.append(String(repeating: "X: y\r\n", count: 100_000) + "\r\nbody")
        inputs.append(String(repeating: "no colon here\n", count: 50_000))
        inputs.append("Content-Type: multipart/mixed; boundary=b\r\n\r\n" + String(repeating: "--b\r\n", count: 100_000))
        inputs.append("Content-Type: text/plain; format=flowed\r\n\r\n" + String(repeating: "> > a \r\n", count: 100_000))
        inputs.append("Content-Transfer-Encoding: quoted-printable\r\n\r\n" + String(repeating: "= \t", count: 100_000))
        inputs.append("Date: " + String(repeating: "1 ", count: 100_000) + "\r\n\r\n")
        inputs.append("To: a@b" + String(repeating: " :", count: 100_000) + "\r\nReferences: " + String(repeating: "<<", count: 50_000) + "\r\n\r\n")
        inputs.append("Content-Type: text/plain; " + String(repeating: "a*0*=x; ", count: 20_000) + "\r\n\r\n")
        for input in inputs {
            var mail = ParsedMail()
            let elapsed = clock.measure { mail = MIMEParser().parse(Data(input.utf8)) }
            fuzzCheck(mail, limits: MIMELimits())
            #expect(elapsed < .seconds(3), "input starting \(input.prefix(40).debugDescription)")
        }
    }
}
