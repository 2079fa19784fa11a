import Foundation
import TestSupport

/// Verifies Standard Webhooks signatures with the `standardwebhooks` Python package, an implementation
/// written independently of ours (installed by `scripts/install-deps.sh --test`).
enum IndependentVerifier {
    static var python: String {
        if let configured = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_PYTHON"], !configured.isEmpty { return configured }
        let venv = Fixtures.repositoryRoot.appendingPathComponent(".build/test-venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/env"
    }

    static let script = """
        import sys
        from standardwebhooks.webhooks import Webhook
        secret, path, msg_id, timestamp, signature = sys.argv[1:6]
        body = open(path, "rb").read()
        try:
            Webhook(secret).verify(body, {"webhook-id": msg_id, "webhook-timestamp": timestamp, "webhook-signature": signature})
            print("verified")
        except Exception as error:
            print("rejected: %s" % error)
            sys.exit(3)
        """

    /// Returns the verifier's verdict: `verified`, or `rejected: …` (or why it could not run).
    static func verify(secret: String, body: Data, headers: [String: String]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-body-" + UUID().uuidString)
        try body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        let prefix = python == "/usr/bin/env" ? ["python3"] : []
        process.arguments = prefix + [
            "-c", script, secret, file.path, headers["webhook-id"] ?? "", headers["webhook-timestamp"] ?? "",
            headers["webhook-signature"] ?? "",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
