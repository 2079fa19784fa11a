extension ConsoleAssets {
    /// The files `Package.swift` embeds (`Console/Assets`), by name. A test checks this lists every file
    /// of the folder, so a new module cannot be left out.
    static let embedded: [String: [UInt8]] = [:]
}
