import Foundation

/// Twilio signatures computed by the `twilio` Python package's own `RequestValidator`, written
/// independently of ours (installed by `scripts/install-deps.sh --test`).
enum TwilioReference {
    static let script = """
        import json, sys
        from twilio.request_validator import RequestValidator
        token, url, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
        print(RequestValidator(token).compute_signature(url, params))
        """

    /// The signature Twilio would send for a form post of `parameters` to `url`.
    static func signature(authToken: String, url: String, parameters: [String: String]) throws -> String {
        let process = Process()
        let python = IndependentVerifier.python
        process.executableURL = URL(fileURLWithPath: python)
        let prefix = python == "/usr/bin/env" ? ["python3"] : []
        let json = String(decoding: try JSONSerialization.data(withJSONObject: parameters), as: UTF8.self)
        process.arguments = prefix + ["-c", script, authToken, url, json]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !text.isEmpty else {
            let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw TwilioReferenceError(description: "the twilio package could not sign (run scripts/install-deps.sh --test): \(problem.suffix(300))")
        }
        return text
    }

    struct TwilioReferenceError: Error, CustomStringConvertible {
        var description: String
    }
}
