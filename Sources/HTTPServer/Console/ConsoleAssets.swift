import Foundation

/// The console's files: HTML, ES modules and one stylesheet, compiled into the binary so the console
/// needs nothing from outside, not even a file beside the gateway.
public struct ConsoleAssets: Sendable {
    /// A file as it is served.
    public struct File: Sendable {
        public var bytes: [UInt8]
        public var contentType: String
    }

    /// Where files are read from instead of the binary, for working on the console without rebuilding
    /// (`SWITCHBOARD_CONSOLE_ASSETS`); nil serves the embedded files.
    public var directory: String?

    public init(directory: String? = nil) {
        self.directory = directory
    }

    /// The file `name` (a plain file name: no folders), or nil when there is none.
    public func file(named name: String) -> File? {
        guard let type = Self.contentType(of: name), Self.isPlainName(name) else { return nil }
        if let directory {
            guard let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(name)) else { return nil }
            return File(bytes: Array(data), contentType: type)
        }
        return Self.embedded[name].map { File(bytes: $0, contentType: type) }
    }

    /// Letters, digits, `-`, `_` and one extension: nothing that could climb out of the directory.
    static func isPlainName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { part in
            !part.isEmpty && part.utf8.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 45 || $0 == 95 }
        }
    }

    static func contentType(of name: String) -> String? {
        switch (name as NSString).pathExtension {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        default: nil
        }
    }
}
