import Channels
import Foundation
import Gateway
import TestSupport
import Testing

/// `switchboard ingest` as an MTA runs it: from its own directory, with `--config` pointing elsewhere.
@Suite("Configuration paths and the ingest command")
struct IngestCommandTests {
    static let binary = Fixtures.repositoryRoot.appendingPathComponent(".build/debug/switchboard").path

    static let mail = """
        From: =?UTF-8?B?546L5bCP5piO?= <wang.xiaoming@example.cn>\r
        To: support@example.com\r
        Subject: order 1001\r
        Message-ID: <ingest-cwd-1@example.cn>\r
        \r
        Where is my order?\r

        """

    /// A deployment under `<root>/etc`: the configuration names its rules, data and secret by relative paths.
    static func deployment(rulesDir: String = "rules") throws -> (root: URL, config: String) {
        let root = try Fixtures.temporaryDirectory()
        let etc = root.appendingPathComponent("etc")
        try FileManager.default.createDirectory(at: etc, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.shippedRules, toPath: etc.appendingPathComponent("rules").path)
        try Fixtures.write([
            "etc/switchboard.yaml": """
                rules_dir: \(rulesDir)
                storage: { data_dir: ../var/data }
                sources:
                  - id: support-mail
                    channel: email
                    address: support@example.com
                    thread_secret: { file: secrets/thread }
                """,
            "etc/secrets/thread": "a-thread-secret-of-some-length\n",
        ], under: root)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("elsewhere"), withIntermediateDirectories: true)
        return (root, etc.appendingPathComponent("switchboard.yaml").path)
    }

    /// Runs the built binary in `directory` with `input` on standard input; its exit status and output.
    static func run(_ arguments: [String], in directory: URL, input: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test("relative paths in the configuration start at the file's own directory, absolute ones stay")
    func relativePaths() throws {
        let (root, config) = try Self.deployment()
        defer { try? FileManager.default.removeItem(at: root) }
        let configuration = try GatewayConfiguration.load(path: config, environment: [:])
        let etc = root.appendingPathComponent("etc").standardizedFileURL.path
        #expect(configuration.rulesDirectory == etc + "/rules")
        #expect(configuration.dataDirectory == root.appendingPathComponent("var/data").standardizedFileURL.path)
        #expect(configuration.sources.first?.settings(as: EmailSource.self)?.threadSecret == "a-thread-secret-of-some-length")

        try Fixtures.write(["etc/absolute.yaml": "rules_dir: /srv/rules\nstorage: { data_dir: /srv/data }\n"], under: root)
        let absolute = try GatewayConfiguration.load(path: root.appendingPathComponent("etc/absolute.yaml").path, environment: [:])
        #expect(absolute.rulesDirectory == "/srv/rules")
        #expect(absolute.dataDirectory == "/srv/data")

        // Unset, both stay where they always were: relative to the current directory.
        try Fixtures.write(["etc/bare.yaml": "time_zone: UTC\n"], under: root)
        let bare = try GatewayConfiguration.load(path: root.appendingPathComponent("etc/bare.yaml").path, environment: [:])
        #expect(bare.rulesDirectory == "Rules")
        #expect(bare.dataDirectory == "./data")
    }

    @Test("the shipped configuration still means Rules/ and data/ of the repository")
    func shippedConfiguration() throws {
        let configuration = try GatewayConfiguration.load(
            path: Fixtures.repositoryRoot.appendingPathComponent("Config/switchboard.yaml").path, environment: [:])
        #expect(configuration.rulesDirectory == Fixtures.repositoryRoot.appendingPathComponent("Rules").standardizedFileURL.path)
        #expect(configuration.dataDirectory == Fixtures.repositoryRoot.appendingPathComponent("data").standardizedFileURL.path)
    }

    @Test("ingest run from another directory stores into the configured data directory with the configured rules")
    func ingestFromElsewhere() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            Issue.record("\(Self.binary) is missing: build it first (`swift build --build-tests` builds it)")
            return
        }
        let (root, config) = try Self.deployment()
        defer { try? FileManager.default.removeItem(at: root) }
        let elsewhere = root.appendingPathComponent("elsewhere")
        let stored = try Self.run(["ingest", "--source", "support-mail", "--config", config], in: elsewhere, input: Self.mail)
        #expect(stored.status == 0, "\(stored.output)")
        #expect(stored.output.contains(#""threaded_by":"new""#), "\(stored.output)")
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("var/data/switchboard.sqlite").path))
        #expect(!FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("data").path))

        // Broken rules are a configuration error (78, documented), not a temporary failure the MTA retries forever.
        let (brokenRoot, brokenConfig) = try Self.deployment(rulesDir: "missing-rules")
        defer { try? FileManager.default.removeItem(at: brokenRoot) }
        let refused = try Self.run(
            ["ingest", "--source", "support-mail", "--config", brokenConfig], in: brokenRoot.appendingPathComponent("elsewhere"), input: Self.mail)
        #expect(refused.status == 78, "\(refused.output)")
        #expect(refused.output.contains("missing-rules/routes.yaml"), "\(refused.output)")
    }
}
