import Foundation

/// The sample messages in `Tests/Fixtures/mail`: real-world charsets, broken MIME, bounces and
/// auto-replies, shared by the parser, fuzz and end-to-end tests.
public enum MailFixtures {
    /// The folder, found from this file's own place in the repository.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/mail")

    /// One sample's bytes.
    public static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    /// Every sample, by name, in name order.
    public static func all() throws -> [(name: String, data: [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { ($0, [UInt8](try data($0))) }
    }
}
