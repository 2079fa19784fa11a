/// Bounds that keep parsing of hostile input linear and shallow.
public struct MIMELimits: Sendable, Equatable {
    /// Multipart nesting deeper than this is not descended into (a warning is recorded).
    public var maximumDepth: Int
    /// Body parts beyond this count are ignored (a warning is recorded).
    public var maximumParts: Int
    /// Bytes of any one header section kept; later header lines are ignored (a warning is recorded).
    public var maximumHeaderBytes: Int

    /// Limits; the defaults suit real customer mail with room to spare.
    public init(maximumDepth: Int = 20, maximumParts: Int = 500, maximumHeaderBytes: Int = 256 * 1024) {
        self.maximumDepth = maximumDepth
        self.maximumParts = maximumParts
        self.maximumHeaderBytes = maximumHeaderBytes
    }
}
