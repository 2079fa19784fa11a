import Foundation

extension OutgoingMail {
    /// A file sent with the message, as a base64 MIME part.
    ///
    /// The name and type come from whoever uploaded the file, so the composer does not trust them: the
    /// name loses control characters and directory parts, and a type that is not a plain `type/subtype`
    /// goes out as `application/octet-stream`.
    public struct Attachment: Sendable, Equatable {
        /// The file name the recipient sees; any Unicode.
        public var filename: String
        /// The media type, e.g. `application/pdf`.
        public var contentType: String
        /// The file's bytes.
        public var bytes: Data

        /// A file to attach.
        public init(filename: String, contentType: String, bytes: Data) {
            self.filename = filename
            self.contentType = contentType
            self.bytes = bytes
        }
    }
}
