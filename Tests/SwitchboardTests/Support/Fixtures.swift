import Foundation
import Gateway
import TestSupport

extension Fixtures {
    /// The problems loading a configuration file with this text reports, or none.
    static func configurationProblems(_ yaml: String, environment: [String: String]) throws -> [String] {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try write(["Config/switchboard.yaml": yaml], under: directory)
        do {
            _ = try GatewayConfiguration.load(path: directory.appendingPathComponent("Config/switchboard.yaml").path, environment: environment)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }
}
